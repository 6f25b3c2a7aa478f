using System.Buffers;
using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Webhooks;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Webhooks;

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
    /// The envelope <c>{seq, epoch, type, session_id, at, data}</c>, or a Slack <c>{"text": …}</c> (<see cref="SlackText"/>)
    /// naming the event's session by <paramref name="sessionName"/> (its id without one), its id a link to the session on the
    /// dashboard when <paramref name="publicUrl"/> (<c>Switchboard:PublicUrl</c>) is set.
    /// </summary>
    public static byte[] For(WebhookEndpoint endpoint, EventRecord e, string epoch, Uri? publicUrl = null, string? sessionName = null) =>
        endpoint.Format == WebhookFormats.Slack ? Slack(e, publicUrl, sessionName) : FrameEncoder.Envelope(e, epoch);

    private static byte[] Slack(EventRecord e, Uri? publicUrl, string? sessionName)
    {
        var session = e.SessionId is { } id ? SlackText.Session(sessionName, id, publicUrl) : null;
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
                    _ => "Acknowledged by " + SlackText.Escape(a.GetProperty("acknowledged_by").GetString()),
                };
                var severity = SlackText.Escape(a.GetProperty("severity").GetString());
                text = $"{Icon(a.GetProperty("severity").GetString())} *{what}* [{severity}] " +
                    $"{SlackText.Escape(a.GetProperty("rule_name").GetString())}: {SlackText.Escape(a.GetProperty("message").GetString())}" +
                    (session is null ? "" : " " + session);
            }
            else if (EventTypes.IsApproval(e.Type) && data.TryGetProperty("approval", out var ap))
            {
                // Who waits for what: the session and the tool and summary a person is asked to decide on, all as text.
                // A hook's summary already starts with its tool ("Bash: make deploy"); a producer's may not.
                var summary = ap.GetProperty("summary").GetString() ?? "";
                var what = SlackText.Escape(ap.GetProperty("tool").GetString() is { } tool && !summary.StartsWith(tool + ": ", StringComparison.Ordinal)
                    ? $"{tool}: {summary}" : summary);
                var state = SlackText.Escape(ap.GetProperty("state").GetString());
                text = e.Type switch
                {
                    EventTypes.ApprovalRequested => $":raising_hand: *Needs you*: {session} waits for approval of {what}",
                    EventTypes.ApprovalAnswered => $":white_check_mark: *{state}* by {SlackText.Escape(ap.GetProperty("answered_by").GetString())}: {session}, {what}",
                    _ => $":hourglass: *{state}* unanswered: {session}, {what}",
                };
            }
            else
            {
                text = session is null ? $"`{e.Type}` (seq {e.Seq})" : $"`{e.Type}` {session} (seq {e.Seq})";
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
