using System.Text.Json;
using Switchboard.Json;
using Switchboard.Live;
using Switchboard.Sessions;

namespace Switchboard.Live;

/// <summary>The join reply <c>{seq, epoch, resumed, replayed, …snapshot}</c>.</summary>
internal sealed class JoinResult
{
    public long Seq { get; set; }

    public string Epoch { get; set; } = "";

    public bool Resumed { get; set; }

    public int Replayed { get; set; }

    /// <summary>Set for snapshots of <c>sessions</c> and <c>summary</c>.</summary>
    public FleetSummary? FleetSummary { get; set; }

    /// <summary>Set for snapshots of <c>sessions</c>: the newest active sessions.</summary>
    public List<Session>? Sessions { get; set; }

    /// <summary>Continue the snapshot with <c>GET /api/sessions?active=true&amp;cursor=…</c>.</summary>
    public long? NextCursor { get; set; }

    /// <summary>True for snapshots of <c>session:{id}</c>; <see cref="Session"/> may still be null.</summary>
    public bool HasSession { get; set; }

    public Session? Session { get; set; }

    /// <summary>For <c>usage</c>: the series from the query's start, read from the store, counting the events up to <see cref="Seq"/>.</summary>
    public (UsageRollups.UsageQuery Query, IReadOnlyList<UsageRollups.UsageRow> Rows)? Usage { get; set; }

    /// <summary>For <c>usage</c>: the label keys rollups are split by, so a chart can offer them.</summary>
    public IReadOnlyList<string> UsageGroupKeys { get; set; } = [];

    /// <summary>Set for snapshots of <c>alerts</c>: the open alerts, oldest first.</summary>
    public List<Alerts.Alert>? Alerts { get; set; }

    public void Write(Utf8JsonWriter w) => Write(w, topic: null);

    /// <summary>Writes the reply; SSE adds the topic, since one stream carries several.</summary>
    public void Write(Utf8JsonWriter w, string? topic)
    {
        w.WriteStartObject();
        if (topic is not null)
        {
            w.WriteString("topic", topic);
        }

        w.WriteNumber("seq", Seq);
        w.WriteString("epoch", Epoch);
        w.WriteBoolean("resumed", Resumed);
        w.WriteNumber("replayed", Replayed);
        if (FleetSummary is not null)
        {
            w.WritePropertyName("summary");
            FleetSummary.WriteData(w);
        }

        if (Sessions is not null)
        {
            w.WriteStartArray("sessions");
            foreach (var s in Sessions)
            {
                SessionJson.Write(w, s);
            }

            w.WriteEndArray();
            if (NextCursor is { } cursor)
            {
                w.WriteString("next_cursor", cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor");
            }
        }

        if (Usage is var (query, rows))
        {
            w.WriteString("bucket", UsageRollups.UsageBuckets.ToWire(query.Bucket));
            w.WriteString("group_by", query.GroupKey is null ? "all" : "label:" + query.GroupKey);
            w.WritePropertyName("since");
            WireTime.Write(w, query.Since);
            w.WriteNumber("as_of_seq", Seq);
            w.WriteStartArray("group_by_keys");
            foreach (var key in UsageGroupKeys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
            Live.Usage.UsageJson.WriteSeries(w, query.GroupKey, rows);
        }

        if (HasSession)
        {
            w.WritePropertyName("session");
            if (Session is null)
            {
                w.WriteNullValue();
            }
            else
            {
                SessionJson.Write(w, Session);
            }
        }

        if (Alerts is not null)
        {
            w.WriteStartArray("alerts");
            foreach (var a in Alerts)
            {
                Switchboard.Alerts.AlertJson.Write(w, a);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }
}
