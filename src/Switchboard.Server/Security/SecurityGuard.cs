using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// Loads the token secret when auth is on (the settings themselves are checked by the options validators), and once the
/// server listens, refuses to keep running on a non-loopback address without keys — wherever the addresses came from
/// (--urls, ASPNETCORE_URLS, Kestrel configuration, code).
/// </summary>
internal sealed class SecurityGuard(
    SwitchboardOptions options,
    ApiKeyRing keys,
    TokenSecret secret,
    IServiceProvider services,
    ILogger<SecurityGuard> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // The settings themselves were checked before any hosted service started (ValidateOnStart).
        var security = options.Security;
        if (!security.AuthEnabled)
        {
            SecurityLog.AuthOff(logger);
            return Task.CompletedTask;
        }

        secret.Load();
        SecurityLog.AuthOn(logger, keys.CountWithRole(ApiKeyRole.Operator), keys.CountWithRole(ApiKeyRole.Agent), keys.CountWithRole(ApiKeyRole.Read), secret.Source!);
        if (secret.Generated)
        {
            // Only a problem when other nodes share the store: each would generate its own secret.
            var shared = services.GetRequiredService<ISessionStore>().Presence is not null;
            SecurityLog.SecretGenerated(logger, shared ? LogLevel.Warning : LogLevel.Information, secret.Source!);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (ListenAddresses.ExposureProblem(addresses, options.Security) is { } problem)
        {
            SecurityLog.Exposed(logger, problem);
            throw new SwitchboardStartupException(problem);
        }

        if (!options.Security.AuthEnabled && addresses.Any(a => !ListenAddresses.IsLoopback(a)))
        {
            SecurityLog.Insecure(logger, string.Join(", ", addresses));
        }

        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
