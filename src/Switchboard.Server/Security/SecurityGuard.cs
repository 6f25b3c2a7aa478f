using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.Security;

/// <summary>
/// Checks the security settings before anything starts (bad keys or secret stop start-up with a message), loads the
/// token secret when auth is on, and once the server listens, refuses to keep running on a non-loopback address without
/// keys — wherever the addresses came from (--urls, ASPNETCORE_URLS, Kestrel configuration, code).
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
        var security = options.Security;
        var problems = ApiKeyRing.Validate(security);
        if (security.TokenSigningKey is { Length: > 0 and < SwitchboardDefaults.MinTokenSecretLength })
        {
            problems.Add($"The token signing secret is shorter than {SwitchboardDefaults.MinTokenSecretLength} characters; use e.g. `openssl rand -base64 32`.");
        }

        if (security.TokenLifetime <= TimeSpan.Zero || security.TokenMaxLifetime < security.TokenLifetime)
        {
            problems.Add("Token lifetimes must be positive, and TokenMaxLifetime at least TokenLifetime.");
        }

        if (options.Stream.MaxMessagesPerSecond <= 0 || options.Stream.MessageBurst < 1)
        {
            problems.Add("Stream:MaxMessagesPerSecond must be positive and Stream:MessageBurst at least 1.");
        }

        if (options.Http.WriteRateLimit < 0 || options.Http.WriteRateWindow <= TimeSpan.Zero)
        {
            problems.Add("Http:WriteRateLimit must be 0 (off) or more, and Http:WriteRateWindow positive.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Switchboard's security settings are not valid:\n- " + string.Join("\n- ", problems));
        }

        if (!security.AuthEnabled)
        {
            SecurityLog.AuthOff(logger);
            return Task.CompletedTask;
        }

        secret.Load();
        SecurityLog.AuthOn(logger, keys.CountWithScope(ApiKeyScope.Write), keys.CountWithScope(ApiKeyScope.Read), secret.Source!);
        if (secret.Generated)
        {
            // Only a problem when other nodes share the store: each would generate its own secret.
            SecurityLog.SecretGenerated(logger, options.StoreFactory is null ? LogLevel.Information : LogLevel.Warning, secret.Source!);
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
            throw new InvalidOperationException(problem);
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
