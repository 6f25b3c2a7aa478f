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

    /// <summary>One write per session touched.</summary>
    public List<SessionWrite> ToWrites()
    {
        var writes = new List<SessionWrite>(_sessions.Count);
        foreach (var (id, pending) in _sessions)
        {
            writes.Add(new ApplyTelemetry(id) { Name = pending.Name, Labels = pending.Labels, Observations = pending.Observations });
        }

        return writes;
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
    }
}
