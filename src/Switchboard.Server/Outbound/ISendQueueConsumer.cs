namespace Switchboard.Server.Outbound;

/// <summary>
/// The transport side of a <see cref="SendQueue"/>. Every callback may run on the thread of whoever enqueued, which can
/// be the live loop: an implementation only flags its connection and schedules work, never blocks and never calls back
/// into Switchboard. <see cref="SendQueue"/> already moves the rare ones (overflow, reset) onto the thread pool.
/// </summary>
internal interface ISendQueueConsumer
{
    /// <summary>Frames are waiting and nobody is draining; called once until a drain finds the queue empty.</summary>
    void OnFramesAvailable();

    /// <summary>
    /// Like <see cref="OnFramesAvailable"/>, from a caller with time to spare (the live loop at the end of a pass with
    /// nothing else to do): the consumer may start writing on the caller's thread instead of waking another, as long as
    /// it never waits there: a write that does not complete at once goes on without the caller. By default it just
    /// wakes (long-poll and SSE keep their own way of writing).
    /// </summary>
    void OnFramesAvailableInline() => OnFramesAvailable();

    /// <summary>The queue hit its hard cap: the consumer is too slow and must be disconnected.</summary>
    void OnOverflow();

    /// <summary>
    /// The server lost this connection's place in the stream (the live loop recovered from a fault or reloaded the
    /// log): close so the client reconnects and resumes by <c>seq</c>.
    /// </summary>
    void OnReset(string reason);
}
