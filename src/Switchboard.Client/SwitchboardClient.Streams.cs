using System.Runtime.CompilerServices;
using Switchboard.Client.Phoenix;

namespace Switchboard.Client;

/// <summary>Live subscriptions and session handles.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Subscribes to a topic (<c>sessions</c>, <c>summary</c>, <c>session:{id}</c> or another of docs/protocol.md's topics)
    /// over the Phoenix WebSocket and yields its events until the enumeration stops. The first item is a <see cref="SnapshotReset"/> (or
    /// <see cref="Resumed"/> when <paramref name="since"/> is given and still in the log). The connection is kept
    /// alive with heartbeats and re-established after any failure with jittered exponential backoff; each rejoin
    /// resumes after the last seq received, so no event is lost or repeated — or, when the gap can no longer be
    /// filled, a <see cref="SnapshotReset"/> with <see cref="SnapshotReset.ResumeRequested"/> says so explicitly.
    /// </summary>
    /// <exception cref="SwitchboardSubscriptionException">The server refused the topic or the join params.</exception>
    public async IAsyncEnumerable<StreamItem> SubscribeAsync(string topic, StreamPosition? since = null, SubscribeOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscription = new TopicSubscription(this, topic, since, options);
        await using (subscription.ConfigureAwait(false))
        {
            subscription.Start(cancellationToken);
            while (await subscription.Items.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (subscription.Items.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>
    /// Creates a session and returns a <see cref="SessionHandle"/> on it: coalesced updates, automatic heartbeats while
    /// it has a lease, and termination on dispose.
    /// </summary>
    public async Task<SessionHandle> StartSessionAsync(NewSession? session = null, CancellationToken cancellationToken = default)
    {
        var created = await CreateSessionAsync(session ?? new NewSession(), cancellationToken).ConfigureAwait(false);
        return new SessionHandle(this, created);
    }
}
