using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Client;

namespace Switchboard.Cli;

/// <summary>How <c>tail</c> prints events: one readable line each, or the envelope as one JSON line.</summary>
internal static class EventFormatter
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The event's envelope <c>{seq, epoch, type, session_id, at, data}</c> as compact JSON.</summary>
    public static string Json(SwitchboardEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            if (e.Seq is { } seq)
            {
                w.WriteNumber("seq", seq);
            }
            else
            {
                w.WriteNull("seq");
            }

            w.WriteString("epoch", e.Epoch);
            w.WriteString("type", e.Type);
            w.WriteString("session_id", e.SessionId);
            w.WriteString("at", e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WritePropertyName("data");
            e.Data.WriteTo(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>e.g. <c>     42  12:01:07.120  session_updated     agent-1  state=working (was idle) input_tokens=1200</c>.</summary>
    public static string Line(SwitchboardEvent e)
    {
        var seq = e.Seq?.ToString(CultureInfo.InvariantCulture) ?? "-";
        var time = e.At.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        return $"{seq,8}  {time}  {e.Type,-18}  {e.SessionId ?? "",-20}  {Details(e)}".TrimEnd();
    }

    private static string Details(SwitchboardEvent e) => e switch
    {
        SessionCreatedEvent c => $"state={c.Session.StateName}{(c.Session.Name is { } n ? $" name=\"{n}\"" : "")} active={c.ActiveCount}",
        SessionUpdatedEvent u => Changes(u),
        SessionTerminatedEvent t => $"reason={t.Reason} tokens={t.Session.TotalTokens} cost=${t.Session.CostUsd.ToString(CultureInfo.InvariantCulture)} active={t.ActiveCount}",
        FleetUpdatedEvent f => f.IsPaused ? "fleet paused" : "fleet resumed",
        SummaryEvent s => Summary(s.Summary),
        WebhooksEvent w => Webhooks(w.Webhooks),
        _ => e.Data.GetRawText(),
    };

    private static string Changes(SessionUpdatedEvent u)
    {
        var parts = new List<string>();
        foreach (var p in u.Changes.EnumerateObject())
        {
            if (p.Name is "updated_at" or "total_tokens")
            {
                continue;
            }

            var value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
            parts.Add(p.Name == "state" && u.PreviousStateName is { } was ? $"state={value} (was {was})" : $"{p.Name}={value}");
        }

        if (u.Reason is { } reason)
        {
            parts.Add($"reason={reason}");
        }

        return string.Join(' ', parts);
    }

    /// <summary>e.g. <c>2 endpoints: down failing lag=3 failures=2 (last error: Connection refused); audit active lag=0 failures=0</c>.</summary>
    private static string Webhooks(IReadOnlyList<Webhook> webhooks) =>
        webhooks.Count == 0 ? "no endpoints" : $"{webhooks.Count} endpoint{(webhooks.Count == 1 ? "" : "s")}: " + string.Join("; ", webhooks.Select(w =>
            $"{w.Id} {WebhooksVerb.State(w)} lag={w.Lag} failures={w.Failures}"
            + (w.LastError is { } e && w.ConsecutiveFailures > 0 ? $" (last error: {TextTable.OneLine(e, 80)})" : "")));

    public static string Summary(Summary s) =>
        $"active={s.ActiveCount} working={s.Count(SessionState.Working)} waiting={s.Count(SessionState.Waiting)} idle={s.Count(SessionState.Idle)} error={s.Count(SessionState.Error)} "
        + $"tokens={s.TotalTokens} cost=${s.EstimatedCostUsd.ToString(CultureInfo.InvariantCulture)}{(s.IsPaused ? " paused" : "")}";
}
