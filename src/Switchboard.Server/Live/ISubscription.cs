namespace Switchboard.Server.Live;

/// <summary>
/// A channel's membership in a topic, as the code outside the live loop holds it: an opaque handle to give back to
/// <see cref="LiveHub.Leave(ISubscription)"/>. Its state belongs to the loop.
/// </summary>
internal interface ISubscription
{
    /// <summary>The topic joined.</summary>
    string Topic { get; }
}
