namespace Switchboard.Outbound;

/// <summary>The transport side of a <see cref="SendQueue"/>.</summary>
internal interface ISendQueueConsumer
{
    /// <summary>Frames are waiting and nobody is draining; called once until a drain finds the queue empty.</summary>
    void OnFramesAvailable();

    /// <summary>The queue hit its hard cap: the consumer is too slow and must be disconnected.</summary>
    void OnOverflow();
}
