using Switchboard.Core.Hosting;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Cli.Serve;

/// <summary>
/// Checks made before anything binds or opens, so a mistake is one line naming the setting and where it came from:
/// the listen addresses, keys and the token secret. The server's options validators check the keys and the secret
/// again (for embedded hosts too), but see only the merged options and so cannot say which variable a value came from.
/// </summary>
internal static class ServePreflight
{
    /// <summary>The first problem, or null. <paramref name="urlsSource"/> names where <paramref name="urls"/> came from.</summary>
    public static string? Problem(SwitchboardOptions options, string urls, string urlsSource)
    {
        if (ListenUrls.Problem(urls, urlsSource) is { } badUrls)
        {
            return badUrls;
        }

        var security = options.Security;
        // Keys from the variable are added after the configured ones; each list is checked on its own so the line says where.
        var variableKeys = new SecurityOptions().AddApiKeys(Environment.GetEnvironmentVariable(Settings.ApiKeysVariable));
        var configuredKeys = new SecurityOptions();
        configuredKeys.ApiKeys.AddRange(security.ApiKeys.Take(security.ApiKeys.Count - variableKeys.ApiKeys.Count));
        var keyProblems = ApiKeyRing.Validate(configuredKeys).Select(p => "Switchboard:Security:ApiKeys in the configuration: " + p)
            .Concat(ApiKeyRing.Validate(variableKeys).Select(p => $"{Settings.ApiKeysVariable}: " + p))
            .ToList();
        if (keyProblems.Count > 0)
        {
            return string.Join(" ", keyProblems).Replace("e.g. `openssl rand -hex 24`", "e.g. one from `switchboard keys new`", StringComparison.Ordinal);
        }

        if (security.TokenSigningKey is { Length: > 0 and < SwitchboardDefaults.MinTokenSecretLength })
        {
            var where = Environment.GetEnvironmentVariable(Settings.TokenSecretVariable) is { Length: > 0 }
                ? Settings.TokenSecretVariable
                : "Switchboard:Security:TokenSigningKey in the configuration";
            return $"{where} is shorter than {SwitchboardDefaults.MinTokenSecretLength} characters; use a random one, e.g. `openssl rand -base64 32`.";
        }

        return ListenAddresses.ExposureProblem(ListenUrls.Split(urls), security);
    }
}
