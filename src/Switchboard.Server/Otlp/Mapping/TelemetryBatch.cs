using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// What one OTLP request says, coalesced per session: each session touched becomes one <see cref="ApplyTelemetry"/>
/// write, so the request appends at most one event per session. Counts every record by outcome.
/// </summary>
internal sealed class TelemetryBatch(DateTimeOffset now, int maxRecords = int.MaxValue, int maxAttributes = int.MaxValue)
{
    /// <summary>
    /// How far after the node's clock a record's time may be taken as it is; later ones are taken as this far ahead.
    /// Earlier than <see cref="Switchboard.Core.Storage.TelemetryDedupe.Window"/> ago is taken as that long ago. Exporters' clocks drift,
    /// and a record's timestamps are its sender's to choose, so nothing the server derives from them leaves this window.
    /// </summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, Pending> _sessions = new(StringComparer.Ordinal);
    private int _records;

    public DateTimeOffset Now { get; } = now;

    /// <summary>Records mapped to a session.</summary>
    public int Accepted { get; private set; }

    /// <summary>Records accepted but not from an agent (or saying nothing about one).</summary>
    public int Ignored { get; private set; }

    /// <summary>Records refused (malformed ids, or past the request's cap); named in <c>partial_success</c>.</summary>
    public int Rejected { get; private set; }

    /// <summary>Records refused because the request carried more than its cap.</summary>
    public int OverLimit { get; private set; }

    /// <summary>Attributes past the cap of their record, resource or scope: ignored.</summary>
    public long AttributesIgnored { get; private set; }

    /// <summary>Why the first record refused for its content was refused.</summary>
    public string? RejectReason { get; private set; }

    public int SessionCount => _sessions.Count;

    /// <summary>
    /// What <c>partial_success</c> says: why records were refused, and that attributes were ignored (with nothing refused,
    /// the specification's warning form); null when all is well.
    /// </summary>
    public string? Message
    {
        get
        {
            var parts = new List<string>(3);
            if (RejectReason is { } reason)
            {
                parts.Add(reason);
            }

            if (OverLimit > 0)
            {
                parts.Add($"the request carried {_records} records and a node takes at most {maxRecords} (Switchboard:Otlp:MaxRecordsPerRequest): " +
                    $"the first {maxRecords} were taken, the other {OverLimit} refused; export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, a collector's send_batch_max_size)");
            }

            if (AttributesIgnored > 0)
            {
                parts.Add($"{AttributesIgnored} attributes past the first {maxAttributes} of their record, resource or scope (Switchboard:Otlp:MaxAttributesPerRecord) were ignored");
            }

            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
    }

    /// <summary>Counts one record of the request; false (and the record refused) past the request's cap.</summary>
    public bool Admit() => Admit(1) == 1;

    /// <summary>Counts <paramref name="records"/> records; returns how many fit under the cap (the rest are refused).</summary>
    public int Admit(int records)
    {
        var room = (int)Math.Clamp((long)maxRecords - _records, 0, records);
        _records += records;
        OverLimit += records - room;
        Rejected += records - room;
        return room;
    }

    /// <summary>Indexes a record's, resource's or scope's attributes into <paramref name="index"/>, counting those past the cap.</summary>
    public AttributeIndex Index(AttributeIndex index, ProtoReader message, int field)
    {
        AttributesIgnored += index.Load(message, field, maxAttributes);
        return index;
    }

    /// <summary>Indexes the attributes of a scope sent in parts (<see cref="AttributeIndex.LoadParts"/>), counting those past the cap.</summary>
    public AttributeIndex Index(AttributeIndex index, ProtoReader owner, int part, int field)
    {
        AttributesIgnored += index.LoadParts(owner, part, field, maxAttributes);
        return index;
    }

    /// <summary>Loads the resource of <paramref name="owner"/> into <paramref name="resource"/>, counting attributes past the cap.</summary>
    public ResourceAttributes Index(ResourceAttributes resource, ProtoReader owner)
    {
        AttributesIgnored += resource.Load(owner, maxAttributes);
        return resource;
    }

    public void Ignore(int records = 1) => Ignored += records;

    public void Reject(string reason)
    {
        Rejected++;
        RejectReason ??= reason;
    }

    /// <summary>Adds an observation to <paramref name="sessionId"/>, with its labels and name read from the record and its resource.</summary>
    public void Observe(string sessionId, TelemetryObservation observation, AttributeIndex record, ResourceAttributes resource)
    {
        Accepted++;
        if (!_sessions.TryGetValue(sessionId, out var pending))
        {
            pending = new Pending();
            pending.Labels[TelemetryMap.SourceLabel] = TelemetryMap.SourceValue;
            _sessions.Add(sessionId, pending);
        }

        pending.Observations.Add(observation);
        for (var i = 0; i < SessionFields.Labels.Length; i++)
        {
            var (label, keys) = SessionFields.Labels[i];
            if (SessionFields.First(keys, record, resource.Labels[i], SessionLimits.MaxLabelValueLength).Value is { } value)
            {
                pending.Labels[label] = value;
            }
        }

        // The most preferred name any record of the request gives (the agent's over the service's).
        if (SessionFields.First(SessionFields.Name, record, resource.Name, SessionLimits.MaxNameLength, below: pending.NameRank) is { Value: { } name } found)
        {
            pending.Name = name;
            pending.NameRank = found.Rank;
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

    /// <summary>
    /// Unix nanoseconds as a time, within the window around the node's clock (<see cref="MaxAhead"/>); zero (unset) is now.
    /// </summary>
    public DateTimeOffset Time(ulong unixNanos)
    {
        if (unixNanos == 0)
        {
            return Now;
        }

        var earliest = Now - Switchboard.Core.Storage.TelemetryDedupe.Window;
        var latest = Now + MaxAhead;
        var ticks = unixNanos / 100;
        if (ticks > (ulong)(latest - DateTimeOffset.UnixEpoch).Ticks)
        {
            return latest;
        }

        var at = DateTimeOffset.UnixEpoch.AddTicks((long)ticks);
        return at < earliest ? earliest : at;
    }

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
