namespace Switchboard.Server.Live;

/// <summary>
/// What the live loop is asked to do: an immutable record. Everything that touches live state arrives as one, in one
/// inbox (<see cref="LiveInbox"/>), and the loop hands it to the one handler of its concern (<see cref="MessageRoutes"/>).
/// A reply completes asynchronously, so no sender's code ever runs on the loop.
/// </summary>
internal abstract record LiveMessage
{
    /// <summary>Handling failed, or the node is stopping: tell whoever waits.</summary>
    public virtual void Fail(Exception error)
    {
    }
}

/// <summary>A message whose sender waits for <see cref="Reply"/> (its continuations run off the loop).</summary>
internal abstract record LiveRequest<T> : LiveMessage
{
    public TaskCompletionSource<T> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception error) => Reply.TrySetException(error);
}
