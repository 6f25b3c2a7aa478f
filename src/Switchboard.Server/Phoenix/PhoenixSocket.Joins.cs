using System.Diagnostics;
using Switchboard.Core.Diagnostics;
using Switchboard.Core.Storage;
using Switchboard.Server.Live;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Phoenix;

/// <summary>Joins: checked against the connection's grant, answered, then live or replaying in the background.</summary>
internal sealed partial class PhoenixSocket
{
    /// <summary>
    /// A join on the socket's lifetime rather than the message's (a long-poll POST may be answered before it ends).
    /// Everything after the first await reads only the message's strings, so the transport may dispose it meanwhile.
    /// The task never faults.
    /// </summary>
    private async Task JoinInBackgroundAsync(PhoenixMessage m)
    {
        // One join at a time (every other message waits for it), so one field holds its cancellation.
        var cancel = _joinCancel = new CancellationTokenSource();
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _joinAnswered = answered.Task;
        using var span = StartJoinSpan(m);
        try
        {
            await JoinAsync(m, () => answered.TrySetResult(), cancel.Token);
        }
        catch (Exception) when (cancel.IsCancellationRequested)
        {
            // The socket is closing; the hub has already left whatever it had joined.
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            hub.LogFailure(m.Topic, ex);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "join crashed");
        }
        finally
        {
            _joinCancel = null;
            answered.TrySetResult();
            _joinAnswered = Task.CompletedTask;
        }
    }

    /// <summary>
    /// A join's span: a trace of its own, linked to the connection's (the WebSocket upgrade's request, which lives as
    /// long as the connection), so a join reads on its own and not as one step of an hours-long request.
    /// </summary>
    private static Activity? StartJoinSpan(PhoenixMessage m)
    {
        if (!SwitchboardTracing.Source.HasListeners())
        {
            return null;
        }

        var connection = Activity.Current;
        Activity.Current = null; // only in this join's flow: an async method does not pass it back to its caller
        var links = connection is null ? null : new[] { new ActivityLink(connection.Context) };
        var span = SwitchboardTracing.Source.StartActivity(SwitchboardTracing.Join, ActivityKind.Server, default(ActivityContext), links: links);
        span?.SetTag("switchboard.topic", m.Topic);
        span?.SetTag("switchboard.join_ref", m.JoinRef);
        return span;
    }

    /// <summary>Records a reply on the join's span when one is running in this flow (replies to other messages have none).</summary>
    private static void TagJoin(string status, string? reason)
    {
        if (Activity.Current is { OperationName: SwitchboardTracing.Join } join && join.Source == SwitchboardTracing.Source)
        {
            join.SetTag("switchboard.join.status", status);
            join.SetTag("switchboard.join.reason", reason);
        }
    }

    private async Task JoinAsync(PhoenixMessage m, Action answered, CancellationToken cancellationToken)
    {
        if (!TopicRoute.TryParse(m.Topic, out var route))
        {
            Reply(null, m.Ref, m.Topic, "error", "unmatched topic");
            return;
        }

        if (_channels.Remove(m.Topic, out var previous))
        {
            // Phoenix semantics: a second join of a joined topic closes the first channel, then proceeds.
            if (previous.Subscription is { } old)
            {
                hub.Leave(old);
            }

            Queue.Enqueue(FrameEncoder.Push(previous.JoinRef, previous.JoinRef, m.Topic, "phx_close", EmptyObject));
        }

        if (_channels.Count >= hub.Options.MaxChannelsPerConnection)
        {
            PhoenixLog.JoinRefused(logger, m.Topic, "too many channels joined");
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "too many channels joined");
            return;
        }

        var request = JoinRequest.Parse(route, m.Payload, hub.Options.SnapshotSessions, out var invalid, hub.UsageContext);
        if (request is null)
        {
            PhoenixLog.JoinRefused(logger, m.Topic, "invalid join params: " + invalid);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "invalid join params", invalid);
            return;
        }

        if (access is not null)
        {
            var (scoped, refusal) = await access.AuthorizeAsync(request, cancellationToken);
            if (scoped is null)
            {
                PhoenixLog.JoinRefused(logger, m.Topic, refusal ?? Unauthorized);
                Reply(m.JoinRef, m.Ref, m.Topic, "error", Unauthorized, refusal);
                return;
            }

            request = scoped;
        }

        var channel = new JoinedChannel(m.JoinRef);
        _channels[m.Topic] = channel;
        try
        {
            channel.Subscription = await hub.JoinAsync(Queue, request with { JoinRef = m.JoinRef },
                JoinReply.Phoenix(m.JoinRef, m.Ref, m.Topic), answered, cancellationToken);
            PhoenixLog.Joined(logger, m.Topic, m.JoinRef);
            TagJoin("ok", null);
        }
        catch (ReplayInterruptedException ex)
        {
            // The ok reply is out; erroring the channel makes the client rejoin, and the rejoin gets a snapshot.
            _channels.Remove(m.Topic);
            Queue.Enqueue(FrameEncoder.Push(m.JoinRef, m.JoinRef, m.Topic, "phx_error", w =>
            {
                w.WriteStartObject();
                w.WriteString("reason", ex.Message);
                w.WriteEndObject();
            }));
        }
        catch (LiveBusyException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _channels.Remove(m.Topic);
            hub.LogFailure(m.Topic, ex);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "overloaded", ex.Message);
        }
        catch (StoreUnavailableException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _channels.Remove(m.Topic);
            hub.LogFailure(m.Topic, ex);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "store unavailable", ex.Message);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _channels.Remove(m.Topic);
            hub.LogFailure(m.Topic, ex);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "join crashed");
        }

    }
}
