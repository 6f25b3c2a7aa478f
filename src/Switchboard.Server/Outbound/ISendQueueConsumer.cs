namespace Switchboard.Outbound;

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
    /// Like <see cref="OnFramesAvailable"/>, but called by a wake-up worker of the fan-out (a thread-pool item that wakes
    /// a share of a pass's connections, never the live loop), so the consumer may start its drain on this thread instead
    /// of scheduling one thread-pool item of its own. The drain runs only until its first write that cannot complete at
    /// once, and throws nothing.
    /// </summary>
    void DrainHere();

    /// <summary>The queue hit its hard cap: the consumer is too slow and must be disconnected.</summary>
    void OnOverflow();

    /// <summary>
    /// The server lost this connection's place in the stream (the live loop recovered from a fault or reloaded the
    /// log): close so the client reconnects and resumes by <c>seq</c>.
    /// </summary>
    void OnReset(string reason);
}
