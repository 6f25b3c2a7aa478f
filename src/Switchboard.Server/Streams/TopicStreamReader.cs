using Switchboard.Core.Storage;
using Switchboard.Core.Streams;
using Switchboard.Server.Live;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Streams;

/// <summary>A topic's filter as a durable stream: its route, a label filter (the request's merged with a token's scope) and subtree.</summary>
internal sealed record TopicQuery(TopicRoute Route, LabelFilter? Filter, bool Subtree, bool Scoped)
{
    /// <summary>The reader is scoped by its credentials' labels: alert events are left out (<see cref="TopicMembership"/>).</summary>
    public bool HidesAlerts { get; init; }
}

/// <summary>The envelopes of a topic from one position to <see cref="Next"/> (a seq); <see cref="UpToDate"/> at the log's head.</summary>
internal sealed record TopicSlice(IReadOnlyList<byte[]> Envelopes, long Next, bool UpToDate)
{
    /// <summary>The body: a JSON array of the envelopes.</summary>
    public byte[] Body()
    {
        var length = 2 + Envelopes.Sum(e => e.Length + 1);
        var body = new byte[Math.Max(2, length - (Envelopes.Count > 0 ? 1 : 0))];
        body[0] = (byte)'[';
        var at = 1;
        for (var i = 0; i < Envelopes.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }

            Envelopes[i].CopyTo(body, at);
            at += Envelopes[i].Length;
        }

        body[at] = (byte)']';
        return body;
    }
}

/// <summary>
/// Reads a logged topic as a durable stream: the events after a seq that belong to it (<see cref="TopicMembership"/>, the
/// live delivery's rule), as the envelopes the Phoenix socket sends. One read scans at most <see cref="MaxScan"/> events
/// and returns at most <see cref="StreamReads.MaxSliceBytes"/>, so a narrow filter over a long log costs each request a
/// bounded amount; the next request goes on from where the scan stopped.
/// </summary>
internal sealed class TopicStreamReader(ISessionStore store, LiveHub live)
{
    public const int MaxScan = 10_000;

    public async Task<TopicSlice> ReadAsync(TopicQuery topic, long after, long head, CancellationToken ct)
    {
        var envelopes = new List<byte[]>();
        long size = 0;
        var next = after;
        var scanned = 0;
        string? sessionFilter = topic.Route.Kind == TopicKind.OneSession && !topic.Subtree ? topic.Route.SessionId : null;
        SubtreeFilter? subtreeFilter = null;
        if (topic.Route.Kind == TopicKind.OneSession && topic.Subtree)
        {
            if (await store.GetSessionAsync(topic.Route.SessionId!, ct) is not { } root)
            {
                return new TopicSlice(envelopes, head, true); // no such session: none of its subtree's events can exist
            }

            subtreeFilter = new SubtreeFilter(root.Id, root.TreePath);
        }

        var sessions = new Dictionary<string, IReadOnlyDictionary<string, string>?>(StringComparer.Ordinal);
        async ValueTask<IReadOnlyDictionary<string, string>?> StoredLabels(string id)
        {
            if (!sessions.TryGetValue(id, out var labels))
            {
                labels = (await store.GetSessionAsync(id, ct))?.Labels;
                sessions[id] = labels;
            }

            return labels;
        }

        while (next < head && scanned < MaxScan)
        {
            var page = await store.ReadEventsAsync(new EventQuery
            {
                AfterSeq = next, UpToSeq = head, SessionId = sessionFilter, Subtree = subtreeFilter, Limit = Math.Min(1000, MaxScan - scanned),
            }, ct);
            if (page.Count == 0)
            {
                next = head; // nothing more of this topic up to the head
                break;
            }

            foreach (var e in page)
            {
                if (await TopicMembership.IncludesAsync(topic.Route, topic.Subtree, topic.Filter, topic.HidesAlerts, e, StoredLabels))
                {
                    var envelope = FrameEncoder.Envelope(e, live.Epoch, topic.Scoped);
                    if (envelopes.Count > 0 && size + envelope.Length > StreamReads.MaxSliceBytes)
                    {
                        return new TopicSlice(envelopes, next, false);
                    }

                    envelopes.Add(envelope);
                    size += envelope.Length;
                }

                next = e.Seq;
                scanned++;
            }
        }

        return new TopicSlice(envelopes, next, next >= head);
    }
}
