using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// Key rotation without a restart, for hosts that bind Switchboard to configuration
/// (<c>AddSwitchboard(configuration)</c>): follows <see cref="IOptionsMonitor{TOptions}"/> of the options named
/// <see cref="OptionsName"/>, which are bound with change tracking (the node's own options are read once, at start). A new
/// key works from the next request and a removed one stops working. A change that is invalid, or that would leave no key
/// and so switch auth off, is refused with a warning and the current keys stay; a node started with auth off stays off.
/// </summary>
internal sealed class ApiKeyReload(IOptionsMonitor<SwitchboardOptions> monitor, ApiKeyRing keys, ILogger<ApiKeyReload> logger) : IHostedService
{
    /// <summary>The reloading copy of the options; validated only for its keys, by <see cref="ApiKeyRing.TryReplace"/>.</summary>
    public const string OptionsName = "Switchboard.ApiKeyReload";

    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = monitor.OnChange((fresh, name) =>
        {
            if (name != OptionsName)
            {
                return;
            }

            if (keys.TryReplace(fresh.Security) is { } refused)
            {
                SecurityLog.KeysNotReloaded(logger, refused);
            }
            else
            {
                SecurityLog.KeysReloaded(logger, string.Join(", ", keys.Names));
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
