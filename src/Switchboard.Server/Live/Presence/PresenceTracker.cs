using System.Globalization;
using System.Text.Json;
using Switchboard.Json;
using Switchboard.Live.Fanout;
using Switchboard.Outbound;

namespace Switchboard.Live.Presence;

/// <summary>
/// Who is watching each topic, in the shapes phoenix.js <c>Presence</c> expects: a full <c>presence_state</c> to every
/// (re)joining channel, and a <c>presence_diff</c> broadcast on every join and leave. Node-local; owned by the live
/// loop like the subscriber lists it broadcasts to.
/// </summary>
internal sealed class PresenceTracker(TimeProvider time)
{
    private readonly Dictionary<string, Dictionary<string, List<Entry>>> _topics = new(StringComparer.Ordinal);
    private long _nextRef;

    /// <summary>Adds the subscription's viewer and returns the diff to broadcast.</summary>
    public OutboundFrame Track(Subscription sub, Viewer viewer)
    {
        var entry = new Entry(viewer, "p" + (++_nextRef).ToString(CultureInfo.InvariantCulture), time.GetUtcNow(), sub);
        sub.Presence = entry;
        if (!_topics.TryGetValue(sub.Route.Topic, out var keys))
        {
            _topics[sub.Route.Topic] = keys = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        }

        if (!keys.TryGetValue(viewer.Key, out var metas))
        {
            keys[viewer.Key] = metas = [];
        }

        metas.Add(entry);
        return Diff(sub.Route.Topic, joins: entry, leaves: null);
    }

    /// <summary>Removes the subscription's viewer; returns the diff to broadcast, or null if it had none.</summary>
    public OutboundFrame? Untrack(Subscription sub)
    {
        if (sub.Presence is not Entry entry || !_topics.TryGetValue(sub.Route.Topic, out var keys))
        {
            return null;
        }

        sub.Presence = null;
        if (keys.TryGetValue(entry.Viewer.Key, out var metas))
        {
            metas.Remove(entry);
            if (metas.Count == 0)
            {
                keys.Remove(entry.Viewer.Key);
            }
        }

        if (keys.Count == 0)
        {
            _topics.Remove(sub.Route.Topic);
        }

        return Diff(sub.Route.Topic, joins: null, leaves: entry);
    }

    /// <summary>Forgets everyone (the live loop reset its subscriptions).</summary>
    public void Clear() => _topics.Clear();

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

    private static OutboundFrame Diff(string topic, Entry? joins, Entry? leaves) =>
        FrameEncoder.Push(null, null, topic, "presence_diff", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("joins");
            if (joins is not null)
            {
                WritePresence(w, joins.Viewer.Key, [joins]);
            }

            w.WriteEndObject();
            w.WriteStartObject("leaves");
            if (leaves is not null)
            {
                WritePresence(w, leaves.Viewer.Key, [leaves]);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }, FrameKind.Presence);

    private static void WritePresence(Utf8JsonWriter w, string key, List<Entry> metas)
    {
        w.WriteStartObject(key);
        w.WriteStartArray("metas");
        foreach (var m in metas)
        {
            w.WriteStartObject();
            w.WriteString("phx_ref", m.Ref);
            w.WriteString("name", m.Viewer.Name);
            if (m.Viewer.Id is not null)
            {
                w.WriteString("id", m.Viewer.Id);
            }

            w.WritePropertyName("online_at");
            WireTime.Write(w, m.OnlineAt);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One viewer's meta on one topic.</summary>
    internal sealed record Entry(Viewer Viewer, string Ref, DateTimeOffset OnlineAt, Subscription Owner);
}
