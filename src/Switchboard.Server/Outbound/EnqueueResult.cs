namespace Switchboard.Server.Outbound;

/// <summary>What became of a frame handed to a <see cref="SendQueue"/>, as the live loop's pacing needs to know it.</summary>
internal enum EnqueueResult : byte
{
    /// <summary>Queued; the queue is keeping up.</summary>
    Queued,

    /// <summary>
    /// Queued, and the queue's oldest frame has waited past its backlog mark while its consumer is still draining: it is
    /// behind because it is being fed faster than it writes, not because it stopped reading.
    /// </summary>
    Backlogged,

    /// <summary>Not queued: the queue is closed, or overflowed with this frame.</summary>
    Refused,
}
