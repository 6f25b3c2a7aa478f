using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Security;

/// <summary>The problem+json answers of the security layer. None of them echoes a credential.</summary>
internal static class SecurityProblems
{
    private const string Realm = "Bearer realm=\"switchboard\"";

    public static ProblemResult MissingKey() =>
        new(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized",
            "This server requires an API key. Send it as 'Authorization: Bearer <key>' (the keys are set with SWITCHBOARD_API_KEYS on the server).")
        {
            Challenge = Realm,
        };

    public static ProblemResult InvalidKey() =>
        new(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized",
            "The API key in the Authorization header is not one of this server's keys. Check it, or ask for a key.")
        {
            Challenge = Realm + ", error=\"invalid_token\"",
        };

    /// <summary>
    /// A key whose role may not make the request: a read key's write keeps the <c>insufficient_scope</c> it always got; an
    /// agent key's steering (answering approvals, commands, the fleet, alerts, webhooks) is <c>insufficient_role</c>.
    /// </summary>
    public static ProblemResult InsufficientRole(ApiKeyIdentity key, ApiKeyRole needed)
    {
        var role = Word(needed);
        var detail = key.Role == ApiKeyRole.Read
            ? $"This API key ({key.Name}) is a read key: it may only read. This request needs {(needed == ApiKeyRole.Agent ? "an agent or operator" : "an operator")} key."
            : $"This API key ({key.Name}) is an agent key: it reports what an agent does and asks for approvals, but answering approvals, " +
              "issuing or withdrawing commands, pausing the fleet and changing alerts or webhooks need an operator key. Give agents an agent key " +
              "and keep the operator key for people (docs/security.md, \"Roles\").";
        return new(StatusCodes.Status403Forbidden, key.Role == ApiKeyRole.Read ? "insufficient_scope" : "insufficient_role", "Forbidden", detail)
        {
            Challenge = Realm + $", error=\"insufficient_scope\", scope=\"{role}\"",
        };
    }

    /// <summary>A role as configuration and the wire spell it.</summary>
    public static string Word(ApiKeyRole role) => role.ToString().ToLowerInvariant();

    /// <summary>
    /// A key scoped by labels asked for something beyond its scope: <paramref name="why"/> says what (fleet-wide totals,
    /// administration, labels it may not set).
    /// </summary>
    public static ProblemResult OutsideScope(string why) =>
        new(StatusCodes.Status403Forbidden, "insufficient_scope", "Forbidden",
            $"This API key is scoped by labels, and {why}. Use a key without a labels scope, or stay inside the key's labels.")
        {
            Challenge = Realm + ", error=\"insufficient_scope\"",
        };

    /// <summary>A route that declares no access policy (docs/security.md, "Who may call what"): refused to everyone.</summary>
    public static ProblemResult Undeclared() =>
        new(StatusCodes.Status403Forbidden, "route_undeclared", "Forbidden",
            "This route declares no access policy, so nobody may call it. This is a defect of the server; report it.");

    public static ProblemResult TokenIsNoKey() =>
        new(StatusCodes.Status403Forbidden, "insufficient_scope", "Forbidden",
            "A subscriber token only opens streams; this request needs an API key that may write as 'Authorization: Bearer <key>'.")
        {
            Challenge = Realm + ", error=\"insufficient_scope\", scope=\"agent\"",
        };

    public static ProblemResult ForeignOrigin(string origin) =>
        new(StatusCodes.Status403Forbidden, "origin_not_allowed", "Forbidden",
            $"Pages from origin '{Clip(origin)}' may not use this server. Serve the page from the server's own origin or localhost, " +
            "or add the origin to Switchboard:Security:AllowedOrigins.");

    public static ProblemResult ForeignHost(HostString host) =>
        new(StatusCodes.Status421MisdirectedRequest, "host_not_allowed", "Misdirected request",
            $"This server does not answer to the host name '{Clip(host.Host)}' while auth is off (a guard against DNS rebinding). " +
            "Use localhost or the server's IP address, add the name to Switchboard:Security:AllowedHosts, or turn auth on with API keys.");

    public static ProblemResult StreamRefused(string why) =>
        new(StatusCodes.Status403Forbidden, "unauthorized", "Forbidden",
            $"The stream was refused: {why}. Pass a subscriber token (POST /api/tokens mints one) as the 'token' parameter or the phoenix authToken, or an API key as 'Authorization: Bearer <key>'.")
        {
            Challenge = Realm + ", error=\"invalid_token\"",
        };

    public static ProblemResult RateLimited(int retryAfterSeconds, int limit, TimeSpan window) =>
        new(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests",
            $"More than {limit} writes per {window.TotalSeconds:0.###} s from this API key (or address). Retry after {retryAfterSeconds} s, or batch writes with POST /api/batch.")
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    private static string Clip(string s) => s.Length > 100 ? s[..100] + "…" : s;
}
