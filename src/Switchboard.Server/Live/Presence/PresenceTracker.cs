using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live.Presence;

/// <summary>
/// Who is watching each topic, in the shapes phoenix.js <c>Presence</c> expects: a full <c>presence_state</c> to every
/// (re)joining channel, and a <c>presence_diff</c> broadcast on every join and leave. It holds this node's viewers and,
/// behind a load balancer, the other nodes' (<see cref="ApplyRemote"/>). Owned by the live loop like the subscriber
/// lists it broadcasts to.
/// </summary>
internal sealed class PresenceTracker(TimeProvider time)
{
    /// <summary>Refs start with a random prefix per process, so none repeats across nodes or restarts.</summary>
    private readonly string _refPrefix = Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant() + ".";
    private readonly Dictionary<string, Dictionary<string, List<Entry>>> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _remote = new(StringComparer.Ordinal);
    private long _nextRef;

    /// <summary>
    /// Adds a viewer of <paramref name="topic"/> on this node; returns its entry (for <see cref="Untrack"/>), the diff to
    /// broadcast and the record to share with other nodes.
    /// </summary>
    public (Entry Entry, OutboundFrame Diff, PresenceRecord Shared) Track(string topic, Viewer viewer)
    {
        var @ref = _refPrefix + (++_nextRef).ToString(CultureInfo.InvariantCulture);
        var entry = new Entry(topic, viewer.Key, @ref, Meta(@ref, viewer, time.GetUtcNow()));
        Add(entry);
        return (entry, Diff(entry.Topic, joins: [entry], leaves: []), new PresenceRecord(entry.Topic, entry.Key, entry.Ref, entry.MetaJson));
    }

    /// <summary>Removes this node's viewer; returns the diff to broadcast.</summary>
    public OutboundFrame Untrack(Entry entry)
    {
        Remove(entry);
        return Diff(entry.Topic, joins: [], leaves: [entry]);
    }

    /// <summary>
    /// Brings the other nodes' viewers to <paramref name="snapshot"/>; returns one diff per topic that changed, to broadcast
    /// to that topic's subscribers.
    /// </summary>
    public List<(string Topic, OutboundFrame Diff)> ApplyRemote(IReadOnlyList<PresenceRecord> snapshot)
    {
        var current = snapshot.ToDictionary(r => r.Ref, StringComparer.Ordinal);
        var changes = new Dictionary<string, (List<Entry> Joins, List<Entry> Leaves)>(StringComparer.Ordinal);
        (List<Entry> Joins, List<Entry> Leaves) For(string topic) =>
            changes.TryGetValue(topic, out var c) ? c : changes[topic] = ([], []);

        foreach (var gone in _remote.Values.Where(e => !current.ContainsKey(e.Ref)).ToList())
        {
            _remote.Remove(gone.Ref);
            Remove(gone);
            For(gone.Topic).Leaves.Add(gone);
        }

        foreach (var record in snapshot.Where(r => !_remote.ContainsKey(r.Ref)))
        {
            var entry = new Entry(record.Topic, record.Key, record.Ref, record.MetaJson);
            _remote[entry.Ref] = entry;
            Add(entry);
            For(entry.Topic).Joins.Add(entry);
        }

        return [.. changes.Select(c => (c.Key, Diff(c.Key, c.Value.Joins, c.Value.Leaves)))];
    }

    /// <summary>Forgets everyone (the live loop reset its subscriptions); other nodes' viewers come back with the next snapshot.</summary>
    public void Clear()
    {
        _topics.Clear();
        _remote.Clear();
    }

    /// <summary>The full state of a topic, pushed to one channel with its join ref.</summary>
    public OutboundFrame State(string topic, string? joinRef) =>
        FrameEncoder.Push(joinRef, null, topic, "presence_state", w =>
        {
            w.WriteStartObject();
            if (_topics.TryGetValue(topic, out var keys))
            {
                foreach (var (key, metas) in keys)
                {
                    WritePresence(w, key, metas);
                }
            }

            w.WriteEndObject();
        }, FrameKind.Presence);

    private void Add(Entry entry)
    {
        if (!_topics.TryGetValue(entry.Topic, out var keys))
        {
            _topics[entry.Topic] = keys = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        }

        if (!keys.TryGetValue(entry.Key, out var metas))
        {
            keys[entry.Key] = metas = [];
        }

        metas.Add(entry);
    }

    private void Remove(Entry entry)
    {
        if (!_topics.TryGetValue(entry.Topic, out var keys) || !keys.TryGetValue(entry.Key, out var metas))
        {
            return;
        }

        metas.Remove(entry);
        if (metas.Count == 0)
        {
            keys.Remove(entry.Key);
        }

        if (keys.Count == 0)
        {
            _topics.Remove(entry.Topic);
        }
    }

    private static OutboundFrame Diff(string topic, List<Entry> joins, List<Entry> leaves) =>
        FrameEncoder.Push(null, null, topic, "presence_diff", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("joins");
            WriteByKey(w, joins);
            w.WriteEndObject();
            w.WriteStartObject("leaves");
            WriteByKey(w, leaves);
            w.WriteEndObject();
            w.WriteEndObject();
        }, FrameKind.Presence);

    private static void WriteByKey(Utf8JsonWriter w, List<Entry> entries)
    {
        foreach (var group in entries.GroupBy(e => e.Key, StringComparer.Ordinal))
        {
            WritePresence(w, group.Key, [.. group]);
        }
    }

    private static void WritePresence(Utf8JsonWriter w, string key, List<Entry> metas)
    {
        w.WriteStartObject(key);
        w.WriteStartArray("metas");
        foreach (var m in metas)
        {
            w.WriteRawValue(m.MetaJson, skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A viewer's meta, <c>{phx_ref, name, id?, online_at}</c>, encoded once: locally and for the other nodes.</summary>
    private static string Meta(string @ref, Viewer viewer, DateTimeOffset onlineAt)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, Switchboard.Server.Responses.JsonResult.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("phx_ref", @ref);
            w.WriteString("name", viewer.Name);
            if (viewer.Id is not null)
            {
                w.WriteString("id", viewer.Id);
            }

            WireTime.Write(w, "online_at", onlineAt);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One viewer's meta on one topic: this node's (its subscription keeps it) or another node's.</summary>
    internal sealed record Entry(string Topic, string Key, string Ref, string MetaJson);
}
