using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.UsageRollups;

namespace Switchboard.Server.Live;

/// <summary>
/// The join reply <c>{seq, epoch, resumed, replayed, …snapshot}</c>. Immutable: the live loop takes the snapshot, and
/// the <see cref="JoinCoordinator"/> completes what only it knows (the replay count, a stored session, a usage series)
/// with <c>with</c>.
/// </summary>
internal sealed record JoinResult(long Seq, string Epoch)
{
    public bool Resumed { get; init; }

    public int Replayed { get; init; }

    /// <summary>Set for snapshots of <c>sessions</c> and <c>summary</c>.</summary>
    public FleetSummary? FleetSummary { get; init; }

    /// <summary>Set for snapshots of <c>sessions</c>: the newest active sessions.</summary>
    public SessionPage? Sessions { get; init; }

    /// <summary>True for snapshots of <c>session:{id}</c>; <see cref="Session"/> may still be null.</summary>
    public bool HasSession { get; init; }

    public Session? Session { get; init; }

    /// <summary>
    /// For <c>session:{id}</c> joined with <c>{"subtree": true}</c>: the first page of its descendants in tree order, read
    /// from the store as of <see cref="Seq"/>, and the cursor of the next page (<c>GET /api/sessions/{id}/tree</c>).
    /// </summary>
    public SubtreeSnapshot? Descendants { get; init; }

    /// <summary>For <c>usage</c>: the series from the query's start, read from the store, counting the events up to <see cref="Seq"/>.</summary>
    public UsageSeries? Usage { get; init; }

    /// <summary>Set for snapshots of <c>alerts</c>: the open alerts, oldest first.</summary>
    public IReadOnlyList<Switchboard.Core.Alerts.Alert>? Alerts { get; init; }

    /// <summary>Set for snapshots of <c>commands</c>: the outstanding commands (pending or delivered), in the order issued.</summary>
    public ListSnapshot? Commands { get; init; }

    /// <summary>Set for snapshots of <c>approvals</c>: the pending approvals, in the order asked.</summary>
    public ListSnapshot? Approvals { get; init; }

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

        if (Sessions is { } page)
        {
            w.WritePropertyName("sessions");
            w.WriteRawValue(page.Json.Span, skipInputValidation: true);
            if (page.NextCursor is { } cursor)
            {
                w.WriteString("next_cursor", cursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("next_cursor");
            }
        }

        if (Usage is { } usage)
        {
            var query = usage.Query;
            w.WriteString("bucket", UsageBuckets.ToWire(query.Bucket));
            w.WriteString("group_by", query.GroupKey is null ? "all" : "label:" + query.GroupKey);
            WireTime.Write(w, "since", query.Since);
            w.WriteNumber("as_of_seq", Seq);
            w.WriteStartArray("group_by_keys");
            foreach (var key in usage.GroupKeys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
            Switchboard.Server.Live.Usage.UsageJson.WriteSeries(w, query.GroupKey, usage.Rows);
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

        if (Descendants is { } descendants)
        {
            w.WriteStartArray("descendants");
            foreach (var s in descendants.Sessions)
            {
                SessionJson.Write(w, s);
            }

            w.WriteEndArray();
            w.WriteString("next_cursor", descendants.NextCursor);
        }

        if (Alerts is not null)
        {
            w.WriteStartArray("alerts");
            foreach (var a in Alerts)
            {
                Switchboard.Core.Alerts.AlertJson.Write(w, a);
            }

            w.WriteEndArray();
        }

        WriteList(w, "commands", Commands);
        WriteList(w, "approvals", Approvals);

        w.WriteEndObject();
    }

    /// <summary><c>"name": [...]</c> and <c>"name_complete"</c> (false when the list was cut at the snapshot's byte bound).</summary>
    private static void WriteList(Utf8JsonWriter w, string name, ListSnapshot? list)
    {
        if (list is null)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteRawValue(list.Json.Span, skipInputValidation: true);
        w.WriteBoolean(name + "_complete", list.Complete);
    }
}

/// <summary>
/// A page of the snapshot of <c>sessions</c>: the JSON array of the sessions, encoded once on the loop (where their size
/// is measured against <see cref="Switchboard.Server.Options.SocketOptions.MaxSnapshotBytes"/> anyway), and where the next page starts.
/// </summary>
internal sealed record SessionPage(ReadOnlyMemory<byte> Json, long? NextCursor);

/// <summary>A subtree join's first page of descendants and the cursor of the next one (null on the last).</summary>
internal sealed record SubtreeSnapshot(IReadOnlyList<Session> Sessions, string? NextCursor);

/// <summary>The <c>usage</c> join's series: the query, its rows up to the reply's seq, and the label keys rollups are split by.</summary>
internal sealed record UsageSeries(UsageQuery Query, IReadOnlyList<UsageRow> Rows, IReadOnlyList<string> GroupKeys);
