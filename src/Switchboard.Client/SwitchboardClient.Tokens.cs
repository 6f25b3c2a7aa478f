using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Subscriber tokens, for handing to browsers and other consumers that should not hold an API key.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Mints a subscriber token (<c>POST /api/tokens</c>; any <see cref="SwitchboardClientOptions.ApiKey"/> may, read-scoped too).
    /// The token may join the topics matching <paramref name="topics"/> (patterns such as <c>sessions</c>,
    /// <c>session:agent-*</c>; default all), only sees sessions carrying all of <paramref name="labels"/>, and expires
    /// after <paramref name="lifetime"/> (default: the server's, 15 min).
    /// </summary>
    /// <exception cref="SwitchboardApiException">Refused: no key or a read-only key (401/403), invalid request (400), auth off (404).</exception>
    public Task<SubscriberToken> CreateSubscriberTokenAsync(IReadOnlyList<string>? topics = null, IReadOnlyDictionary<string, string>? labels = null,
        TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        var body = RequestJson.Object(w =>
        {
            if (topics is not null)
            {
                w.WriteStartArray("topics");
                foreach (var t in topics)
                {
                    w.WriteStringValue(t);
                }

                w.WriteEndArray();
            }

            if (labels is not null)
            {
                RequestJson.Labels(w, labels);
            }

            if (lifetime is { } l)
            {
                w.WriteNumber("ttl_seconds", (long)Math.Ceiling(l.TotalSeconds));
            }
        });
        // Minting twice is harmless: tokens are not stored anywhere.
        return _api.SendAsync(HttpMethod.Post, "api/tokens", body, RetryMode.Always, e => new SubscriberToken(
            WireJson.String(e, "token")!,
            WireJson.Time(e, "expires_at") ?? DateTimeOffset.MaxValue,
            [.. e.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!)],
            e.TryGetProperty("labels", out var ls) && ls.ValueKind == System.Text.Json.JsonValueKind.Object ? WireJson.ReadLabels(ls) : null), cancellationToken);
    }
}

/// <summary>A subscriber token: what <see cref="SwitchboardClientOptions.StreamToken"/> or a browser's socket carries.</summary>
/// <param name="Token">The signed token (a JWT).</param>
/// <param name="ExpiresAt">When it stops being accepted; the server closes sockets using it with 1008 then.</param>
/// <param name="Topics">The topic patterns it covers.</param>
/// <param name="Labels">The labels a session must carry to be seen with it, or null.</param>
public sealed record SubscriberToken(string Token, DateTimeOffset ExpiresAt, IReadOnlyList<string> Topics, IReadOnlyDictionary<string, string>? Labels);
