using System.Buffers;
using System.Text.Json;
using Switchboard.Events;
using Switchboard.Outbound;
using Switchboard.Webhooks;

namespace Switchboard.WebhookDispatch;

/// <summary>Which events an endpoint takes, and the body it gets for one.</summary>
internal static class WebhookBody
{
    /// <summary>True when <paramref name="e"/> passes the endpoint's filters (types, labels, alert severities).</summary>
    public static bool Matches(WebhookEndpoint endpoint, EventRecord e)
    {
        if (endpoint.EventTypes.Count > 0 && !endpoint.EventTypes.Contains(e.Type))
        {
            return false;
        }

        if (endpoint.Labels.Count > 0)
        {
            var labels = e.Labels ?? e.PriorLabels;
            if (labels is null || endpoint.Labels.Any(kv => !labels.TryGetValue(kv.Key, out var v) || v != kv.Value))
            {
                return false;
            }
        }

        if (endpoint.AlertSeverities.Count > 0 && EventTypes.IsAlert(e.Type))
        {
            using var doc = JsonDocument.Parse(e.Data);
            var severity = doc.RootElement.GetProperty("alert").GetProperty("severity").GetString();
            return endpoint.AlertSeverities.Contains(severity!);
        }

        return true;
    }

    /// <summary>
    /// The envelope <c>{seq, epoch, type, session_id, at, data}</c>, or a Slack <c>{"text": …}</c> that links the event's
    /// session on the dashboard when <paramref name="publicUrl"/> (<c>Switchboard:PublicUrl</c>) is set.
    /// </summary>
    public static byte[] For(WebhookEndpoint endpoint, EventRecord e, string epoch, Uri? publicUrl = null) =>
        endpoint.Format == WebhookFormats.Slack ? Slack(e, publicUrl) : FrameEncoder.Envelope(e, epoch);

    /// <summary>
    /// The dashboard with <paramref name="sessionId"/>'s detail open: <c>{PublicUrl}/?session={id}</c> (docs/dashboard.md),
    /// as a Slack link (<c>&lt;url|text&gt;</c>). The id is escaped: Slack would read a <c>&gt;</c> or <c>|</c> in it as
    /// the link's end.
    /// </summary>
    internal static string SessionLink(Uri publicUrl, string sessionId)
    {
        var root = publicUrl.AbsoluteUri.EndsWith('/') ? publicUrl.AbsoluteUri : publicUrl.AbsoluteUri + "/";
        return $"<{root}?session={Uri.EscapeDataString(sessionId)}|Open in Switchboard>";
    }

    private static byte[] Slack(EventRecord e, Uri? publicUrl)
    {
        string? linked = e.SessionId;
        string text;
        using (var doc = JsonDocument.Parse(e.Data))
        {
            var data = doc.RootElement;
            if (EventTypes.IsAlert(e.Type) && data.TryGetProperty("alert", out var a))
            {
                var what = e.Type switch
                {
                    EventTypes.AlertRaised => "Alert",
                    EventTypes.AlertResolved => "Resolved",
                    _ => "Acknowledged by " + a.GetProperty("acknowledged_by").GetString(),
                };
                text = $"{Icon(a.GetProperty("severity").GetString())} *{what}* [{a.GetProperty("severity").GetString()}] " +
                    $"{a.GetProperty("rule_name").GetString()}: {a.GetProperty("message").GetString()}";
            }
            else if (EventTypes.IsApproval(e.Type) && data.TryGetProperty("approval", out var ap))
            {
                // Who waits for what: the session and the tool and summary a person is asked to decide on.
                var what = ap.GetProperty("tool").GetString() is { } tool ? $"{tool}: {ap.GetProperty("summary").GetString()}" : ap.GetProperty("summary").GetString();
                var session = ap.GetProperty("session_id").GetString();
                linked = session;
                text = e.Type switch
                {
                    EventTypes.ApprovalRequested => $":raising_hand: *Needs you*: session `{session}` waits for approval of {what}",
                    EventTypes.ApprovalAnswered => $":white_check_mark: *{ap.GetProperty("state").GetString()}* by {ap.GetProperty("answered_by").GetString()}: session `{session}`, {what}",
                    _ => $":hourglass: *{ap.GetProperty("state").GetString()}* unanswered: session `{session}`, {what}",
                };
            }
            else
            {
                text = e.SessionId is { } id ? $"`{e.Type}` session `{id}` (seq {e.Seq})" : $"`{e.Type}` (seq {e.Seq})";
            }
        }

        if (publicUrl is not null && !string.IsNullOrEmpty(linked))
        {
            text += " " + SessionLink(publicUrl, linked);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("text", text);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Icon(string? severity) => severity switch
    {
        "critical" => ":rotating_light:",
        "warning" => ":warning:",
        _ => ":information_source:",
    };
}
