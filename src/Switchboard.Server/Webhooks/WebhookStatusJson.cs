using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Webhooks;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// An endpoint as the API and the <c>webhooks</c> topic show it: its configuration and its delivery state, with the lag
/// behind <c>head</c> (the last seq this node has applied).
/// </summary>
internal static class WebhookStatusJson
{
    /// <summary><c>{"webhooks": [...]}</c>, without secrets: what <c>GET /api/webhooks</c> answers and the topic pushes.</summary>
    public static void WriteList(Utf8JsonWriter w, IReadOnlyList<WebhookEndpoint> endpoints, long head, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteStartArray("webhooks");
        foreach (var e in endpoints)
        {
            Write(w, e, head, secret: false, now);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One endpoint; its secret only when <paramref name="secret"/> (the answer to its creation).</summary>
    public static void Write(Utf8JsonWriter w, WebhookEndpoint e, long head, bool secret, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("id", e.Id);
        w.WriteString("url", e.Url);
        if (secret)
        {
            w.WriteString("secret", e.Secret);
        }

        WebhookJson.WriteDelivery(w, e);
        w.WriteString("state", e.State);
        w.WriteNumber("cursor", e.Cursor);
        w.WriteNumber("lag", Math.Max(0, head - e.Cursor));
        w.WriteNumber("attempts", e.Attempts);
        w.WriteNumber("failures", e.Failures);
        w.WriteNumber("consecutive_failures", e.ConsecutiveFailures);
        w.WriteString("last_error", e.LastError);
        WireTime.Write(w, "last_attempt_at", e.LastAttemptAt);
        w.WriteString("delivering_node", e.LeaseExpiresAt is { } until && until > now ? e.LeaseOwner : null);
        WireTime.Write(w, "created_at", e.CreatedAt);
        w.WriteNumber("version", e.Version);
        w.WriteEndObject();
    }
}
