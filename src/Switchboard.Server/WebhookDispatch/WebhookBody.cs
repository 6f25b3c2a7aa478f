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

    /// <summary>The envelope <c>{seq, epoch, type, session_id, at, data}</c>, or a Slack <c>{"text": …}</c>.</summary>
    public static byte[] For(WebhookEndpoint endpoint, EventRecord e, string epoch) =>
        endpoint.Format == WebhookFormats.Slack ? Slack(e) : FrameEncoder.Envelope(e, epoch);

    private static byte[] Slack(EventRecord e)
    {
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
