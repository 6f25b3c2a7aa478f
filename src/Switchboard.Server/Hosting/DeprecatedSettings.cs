using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Hosting;

/// <summary>
/// Logs, once at start, each renamed setting this node's configuration still sets under its old key
/// (<see cref="Switchboard.Server.Options.RenamedSettings"/>): it still works, and the log says what to rename it to.
/// </summary>
internal sealed class DeprecatedSettings(IReadOnlyList<(string Old, string New)> keys, ILogger<DeprecatedSettings> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (old, renamed) in keys)
        {
            SwitchboardLog.DeprecatedSetting(logger, old, renamed);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
