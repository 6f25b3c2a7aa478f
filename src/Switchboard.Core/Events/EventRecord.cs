using Switchboard.Core.Sessions;

namespace Switchboard.Core.Events;

/// <summary>
/// One committed entry of the event log: <c>{seq, epoch, type, session_id, at, data}</c> without the
/// epoch, which belongs to the log as a whole. <see cref="Data"/> is the compact UTF-8 JSON object.
/// </summary>
public sealed record EventRecord(long Seq, string Type, string? SessionId, DateTimeOffset At, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// The session as it stands after this event, when the node that committed it still has it in hand.
    /// Null for events read back from storage; <see cref="SessionEventApplier"/> derives it then.
    /// </summary>
    public Session? Session { get; init; }

    /// <summary>
    /// The session's labels after this event (null for fleet events, and for events logged before labels were recorded).
    /// Label-filtered topics decide membership from these and <see cref="PriorLabels"/> alone, so live delivery and a
    /// replay of the log agree.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>The session's labels before this event, set only when the event changed them.</summary>
    public IReadOnlyDictionary<string, string>? PriorLabels { get; init; }

    /// <summary>
    /// The session's tree path (<c>Switchboard.Core.Trees.TreePath</c>: root first, the session last), recorded with the event so a subtree
    /// subscription decides live and in replay alike; null for events of no session.
    /// </summary>
    internal string? TreePath { get; init; }

    /// <summary>What the event added to each ancestor's subtree totals, when the committing node has it in hand (else read from the data).</summary>
    internal SubtreeTotals? SubtreeDelta { get; init; }
}
