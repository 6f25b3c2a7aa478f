using System.Security.Claims;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Mcp;

/// <summary>
/// Who sent an MCP message: the API key <see cref="ApiAccessFilter"/> authenticated on its HTTP request (null while auth is
/// off), carried to the tools as the request's user. The SDK binds a session to the user that opened it by
/// <see cref="ClaimTypes.NameIdentifier"/>, so another key cannot use a session id it learned.
/// </summary>
internal sealed class McpCaller : ClaimsIdentity
{
    private McpCaller(ApiKeyIdentity? key)
        : base([new Claim(ClaimTypes.NameIdentifier, key?.Fingerprint ?? "anonymous")], key is null ? "switchboard-auth-off" : "switchboard-api-key")
    {
        Key = key;
    }

    /// <summary>
    /// Auth off: everyone may do everything, and is recorded as anonymous. Authenticated all the same, since the SDK passes
    /// only an authenticated user with an id on to the handlers.
    /// </summary>
    public static McpCaller Anonymous { get; } = new(null);

    public ApiKeyIdentity? Key { get; }

    /// <summary>The key's labels scope; null for a key of the whole fleet, or while auth is off.</summary>
    public LabelFilter? Scope => Key?.Labels;

    /// <summary>Recorded as who answered or issued: <c>mcp:</c> and the key's name.</summary>
    public string RecordedAs => "mcp:" + (Key?.Name ?? "anonymous");

    public bool Allows(ApiKeyRole role) => Key?.Allows(role) ?? true;

    public static ClaimsPrincipal PrincipalFor(ApiKeyIdentity? key) => new(key is null ? Anonymous : new McpCaller(key));

    /// <summary>The caller of a message; a message without one (never from <c>/mcp</c>) has no rights.</summary>
    public static McpCaller Of(ClaimsPrincipal? user) =>
        user?.Identities.OfType<McpCaller>().FirstOrDefault() ?? throw new McpRefusal("unauthenticated", "The request carried no caller.");
}
