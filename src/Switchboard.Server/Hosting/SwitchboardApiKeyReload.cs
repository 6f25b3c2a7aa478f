using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Switchboard;
using Switchboard.Security;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Key rotation without a restart.</summary>
public static class SwitchboardApiKeyReload
{
    /// <summary>
    /// Re-reads the API keys under <paramref name="security"/> (e.g. <c>Switchboard:Security</c>) whenever that
    /// configuration reloads (appsettings.json does on save), together with <paramref name="fixedKeys"/> (a list as in
    /// <c>SWITCHBOARD_API_KEYS</c>, which cannot change while running). A new key works from the next request and a
    /// removed one stops working. A change that is invalid, or that would leave no key and so switch auth off, is
    /// refused with a warning and the current keys stay; a node started with auth off stays off until restarted.
    /// </summary>
    public static IHost ReloadSwitchboardApiKeysOnChange(this IHost host, IConfigurationSection security, string? fixedKeys = null)
    {
        var keys = host.Services.GetRequiredService<ApiKeyRing>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Security");
        var subscription = ChangeToken.OnChange(security.GetReloadToken, () =>
        {
            var fresh = new SecurityOptions();
            security.Bind(fresh);
            fresh.AddApiKeys(fixedKeys);
            if (keys.TryReplace(fresh) is { } refused)
            {
                SecurityLog.KeysNotReloaded(logger, refused);
            }
            else
            {
                SecurityLog.KeysReloaded(logger, string.Join(", ", keys.Fingerprints));
            }
        });
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(subscription.Dispose);
        return host;
    }
}
