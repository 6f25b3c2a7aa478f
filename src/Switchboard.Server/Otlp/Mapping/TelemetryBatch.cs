using Google.Protobuf.Collections;
using Switchboard.Otlp.Proto.Common;
using Switchboard.Sessions;
using Switchboard.Writes;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// What one OTLP request says, coalesced per session: each session touched becomes one <see cref="ApplyTelemetry"/>
/// write, so the request appends at most one event per session. Counts every record by outcome.
/// </summary>
internal sealed class TelemetryBatch(DateTimeOffset now)
{
    private readonly Dictionary<string, Pending> _sessions = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; } = now;

    /// <summary>Records mapped to a session.</summary>
    public int Accepted { get; private set; }

    /// <summary>Records accepted but not from an agent (or saying nothing about one).</summary>
    public int Ignored { get; private set; }

    /// <summary>Records refused (malformed ids); named in <c>partial_success</c>.</summary>
    public int Rejected { get; private set; }

    /// <summary>Why the first refused record was refused.</summary>
    public string? RejectReason { get; private set; }

    public int SessionCount => _sessions.Count;

    public void Ignore() => Ignored++;

    public void Reject(string reason)
    {
        Rejected++;
        RejectReason ??= reason;
    }

    /// <summary>Adds an observation to <paramref name="sessionId"/>, with its labels and name read from the record and its resource.</summary>
    public void Observe(string sessionId, TelemetryObservation observation, RepeatedField<KeyValue>? record, RepeatedField<KeyValue>? resource)
    {
        Accepted++;
        if (!_sessions.TryGetValue(sessionId, out var pending))
        {
            pending = new Pending();
            pending.Labels[TelemetryMap.SourceLabel] = TelemetryMap.SourceValue;
            _sessions.Add(sessionId, pending);
        }

        pending.Observations.Add(observation);
        foreach (var rule in TelemetryMap.Labels)
        {
            if (First(rule.Attributes, record, resource) is { Length: > 0 } value)
            {
                pending.Labels[rule.Label] = Clip(value, SessionLimits.MaxLabelValueLength);
            }
        }

        // The most preferred name any record of the request gives (the agent's over the service's).
        for (var rank = 0; rank < pending.NameRank && rank < TelemetryMap.NameAttributes.Length; rank++)
        {
            var key = TelemetryMap.NameAttributes[rank];
            if ((Attributes.String(record, key) ?? Attributes.String(resource, key)) is { Length: > 0 } name)
            {
                pending.Name = Clip(name, SessionLimits.MaxNameLength);
                pending.NameRank = rank;
                break;
            }
        }
    }

    /// <summary>A span of <paramref name="sessionId"/> that may start another agent's run.</summary>
    public void Starts(string sessionId, string spanKey) => (_sessions[sessionId].Spans ??= []).Add(spanKey);

    /// <summary><paramref name="sessionId"/> has a span whose parent is <paramref name="spanKey"/>, outside the request.</summary>
    public void WaitsFor(string sessionId, string spanKey) => (_sessions[sessionId].Parents ??= new HashSet<string>(StringComparer.Ordinal)).Add(spanKey);

    /// <summary><paramref name="sessionId"/> has a span whose parent, in the same request, belongs to <paramref name="parentId"/>.</summary>
    public void ParentSession(string sessionId, string parentId) => (_sessions[sessionId].ParentSessions ??= new HashSet<string>(StringComparer.Ordinal)).Add(parentId);

    /// <summary>
    /// One write per session touched, each session after the sessions of the request it has as parents (so a new child
    /// is created under a parent created just before it).
    /// </summary>
    public List<SessionWrite> ToWrites(int maxTreeDepth)
    {
        var writes = new List<SessionWrite>(_sessions.Count);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in _sessions.Keys)
        {
            Add(id);
        }

        return writes;

        void Add(string id)
        {
            if (!written.Add(id))
            {
                return; // written, or on the path being written (a cycle of sessions: broken here)
            }

            var pending = _sessions[id];
            foreach (var parent in pending.ParentSessions ?? [])
            {
                Add(parent);
            }

            writes.Add(new ApplyTelemetry(id)
            {
                Name = pending.Name,
                Labels = pending.Labels,
                Observations = pending.Observations,
                Links = pending.Spans is null && pending.Parents is null && pending.ParentSessions is null
                    ? SpanLinks.None
                    : new SpanLinks(pending.Spans ?? [], [.. pending.Parents ?? []], [.. pending.ParentSessions ?? []]),
                MaxTreeDepth = maxTreeDepth,
            });
        }
    }

    /// <summary>Unix nanoseconds as a time; zero (unset) is now.</summary>
    public DateTimeOffset Time(ulong unixNanos) =>
        unixNanos == 0 || unixNanos / 100 > (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks
            ? Now
            : DateTimeOffset.UnixEpoch.AddTicks((long)(unixNanos / 100));

    private static string? First(string[] keys, RepeatedField<KeyValue>? record, RepeatedField<KeyValue>? resource)
    {
        foreach (var key in keys)
        {
            if ((Attributes.String(record, key) ?? Attributes.String(resource, key)) is { } value)
            {
                return value;
            }
        }

        return null;
    }

    public static string Clip(string value, int max) => value.Length <= max ? value : value[..max];

    private sealed class Pending
    {
        public string? Name;
        public int NameRank = int.MaxValue;
        public readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal);
        public readonly List<TelemetryObservation> Observations = [];
        public List<string>? Spans;
        public HashSet<string>? Parents;
        public HashSet<string>? ParentSessions;
    }
}
