using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>The outcome of authenticating a stream: a grant, or why there is none.</summary>
internal readonly record struct StreamAuthResult(StreamGrant? Grant, string? Error, bool NoCredentials = false);

/// <summary>
/// Authenticates a stream connection when auth is on. Accepted, in this order: <c>Authorization: Bearer</c> with an API
/// key (any scope) or a subscriber token; the Phoenix <c>authToken</c> subprotocol; the long-poll
/// <c>X-Phoenix-AuthToken</c> header; the first <c>token</c> query value. API keys are only taken from the header, so
/// they never end up in URLs and access logs.
/// </summary>
internal sealed class StreamAuthenticator(SecurityOptions options, ApiKeyRing keys, SubscriberTokens tokens, JoinAuthorizer joins)
{
    /// <summary>The prefix of the subprotocol that carries a token (phoenix.js <c>authToken</c>).</summary>
    public const string AuthTokenProtocolPrefix = "base64url.bearer.phx.";

    public bool Enabled => options.AuthEnabled;

    public SubscriberTokens Tokens => tokens;

    /// <summary>Checks joins against a connection's grant.</summary>
    public JoinAuthorizer Joins => joins;

    public async Task<StreamAuthResult> AuthenticateAsync(HttpRequest request)
    {
        if (!Enabled)
        {
            return new(StreamGrant.Unrestricted, null);
        }

        if (BearerOf(request) is { } bearer)
        {
            if (keys.Find(bearer) is { } key)
            {
                return new(key.Grant, null);
            }

            return await ValidateAsync(bearer);
        }

        var token = ProtocolToken(request) ?? NonEmpty(request.Headers["X-Phoenix-AuthToken"].ToString())
            ?? (request.Query["token"] is { Count: > 0 } values ? NonEmpty(values[0]) : null);
        return token is null
            ? new(null, "no credentials were sent", NoCredentials: true)
            : await ValidateAsync(token);
    }

    public async Task<StreamAuthResult> ValidateAsync(string token)
    {
        var (grant, error) = await tokens.ValidateAsync(token);
        return new(grant, error);
    }

    /// <summary>The credential of an <c>Authorization: Bearer …</c> header, or null.</summary>
    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? NonEmpty(header[7..].Trim()) : null;
    }

    /// <summary>The token in a <c>base64url.bearer.phx.…</c> subprotocol: base64 of either alphabet, padding optional.</summary>
    internal static string? ProtocolToken(HttpRequest request)
    {
        foreach (var offered in SubProtocols.Offered(request))
        {
            if (!offered.StartsWith(AuthTokenProtocolPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var text = offered[AuthTokenProtocolPrefix.Length..].Replace('-', '+').Replace('_', '/').TrimEnd('=');
            if (text.Length > SubscriberTokens.MaxTokenLength * 2)
            {
                return null;
            }

            text = text.PadRight(text.Length + ((4 - text.Length % 4) % 4), '=');
            var bytes = new byte[text.Length];
            return Convert.TryFromBase64String(text, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
        }

        return null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
