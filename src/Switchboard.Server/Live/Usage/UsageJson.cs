using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.UsageRollups;

namespace Switchboard.Server.Live.Usage;

/// <summary>The wire shape of usage rows, shared by <c>GET /api/usage</c>, the <c>usage</c> join reply and its updates.</summary>
internal static class UsageJson
{
    /// <summary><c>"series": [{group: {KEY: value}, points: [...]}]</c>, groups by value and points by start.</summary>
    public static void WriteSeries(Utf8JsonWriter w, string? groupKey, IEnumerable<UsageRow> rows)
    {
        w.WriteStartArray("series");
        foreach (var group in rows.GroupBy(r => r.Key.GroupValue, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteStartObject("group");
            if (groupKey is not null)
            {
                w.WriteString(groupKey, group.Key);
            }

            w.WriteEndObject();
            w.WriteStartArray("points");
            foreach (var row in group.OrderBy(r => r.Key.Start))
            {
                WritePoint(w, row);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>One bucket: <c>{start, input_tokens, …, peak_active_sessions}</c>. </summary>
    public static void WritePoint(Utf8JsonWriter w, UsageRow row)
    {
        var c = row.Counters;
        w.WriteStartObject();
        WireTime.Write(w, "start", row.Key.Start);
        w.WriteNumber("input_tokens", c.InputTokens);
        w.WriteNumber("output_tokens", c.OutputTokens);
        w.WriteNumber("total_tokens", c.TotalTokens);
        w.WriteNumber("cost_usd", Decimals.Normalize(c.CostUsd));
        w.WriteNumber("sessions_created", c.SessionsCreated);
        w.WriteNumber("sessions_terminated", c.SessionsTerminated);
        w.WriteNumber("sessions_errored", c.SessionsErrored);
        w.WriteNumber("busy_seconds", c.BusyMilliseconds / 1000m);
        w.WriteNumber("peak_active_sessions", c.PeakActive);
        w.WriteEndObject();
    }
}
