using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Switchboard.Diagnostics;
using Switchboard.Live;
using Switchboard.Outbound;
using Switchboard.Security;
using Switchboard.Storage;

namespace Switchboard.Phoenix;

/// <summary>
/// One Phoenix connection's channels, independent of the transport: heartbeats, join, leave, replies and
/// the routing rules of the spec (unmatched topics, duplicate joins, stale join refs). Messages are handled
/// one at a time, in order, by the transport's read loop, with one exception: a join that is replaying goes on in the
/// background, and heartbeats are answered meanwhile (a long replay to a slow client would otherwise starve them, and
/// phoenix.js reconnects after one unanswered heartbeat); every other message waits for the join.
/// <see cref="CloseAsync"/> runs after the read loop has ended.
/// </summary>
internal sealed class PhoenixSocket(JoinCoordinator hub, SendQueue queue, ILogger logger, ConnectionAccess? access = null)
{
    private const string PhoenixTopic = "phoenix";
    private const string Unauthorized = "unauthorized";
    private readonly ChannelList<JoinedChannel> _channels = new();
    private CancellationTokenSource? _joinCancel; // only while a join runs, so an idle connection holds none
    private Task _joining = Task.CompletedTask;
    private Task _joinAnswered = Task.CompletedTask; // a join's reply is out and it is live or replaying

    public SendQueue Queue { get; } = queue;

    /// <summary>
    /// Completes once the join in progress, if any, has its reply queued and is live or replaying (at once when none is).
    /// Never faults. A long-poll POST answers only then, as Phoenix's does, so a client's next write is seen by the join.
    /// </summary>
    public Task JoinAnswered => _joinAnswered;

    /// <summary>Handles one inbound message. Never throws: a failure is logged and answered with an error reply.</summary>
    public async Task HandleAsync(PhoenixMessage m)
    {
        try
        {
            await HandleCoreAsync(m);
        }
        catch (Exception ex)
        {
            PhoenixLog.MessageCrashed(logger, m.Event, m.Topic, ex);
            Reply(m.JoinRef, m.Ref, m.Topic, "error", "internal error");
        }
    }

    private async Task HandleCoreAsync(PhoenixMessage m)
    {
        if (m.Topic == PhoenixTopic && m.Event == "heartbeat")
        {
            if (!_joinAnswered.IsCompleted)
            {
                await _joinAnswered; // never faults
            }

            Reply(null, m.Ref, m.Topic, "ok"); // Phoenix's heartbeat reply has no join_ref, whatever the client sent
            return;
        }

        if (!_joining.IsCompleted)
        {
            await _joining; // never faults
        }

        if (m.Topic == PhoenixTopic && m.Event == "access_token")
        {
            await RefreshAsync(m);
            return;
        }

        switch (m.Event)
        {
            case "phx_join":
                _joining = JoinInBackgroundAsync(m);
                return;
            case "phx_leave":
                Leave(m);
                return;
        }

        if (!_channels.TryGetValue(m.Topic, out var channel))
        {
            Reply(null, m.Ref, m.Topic, "error", "unmatched topic");
            return;
        }

        if (m.JoinRef is not null && m.JoinRef != channel.JoinRef)
        {
            return; // stale: meant for an earlier join of this topic
        }

        if (m.Event == "ping" && !m.IsBinary)
        {
            // Channels are read-only; "ping" lets a client check the channel and how far the log has moved.
            var head = hub.HeadSeq;
            Queue.Enqueue(FrameEncoder.Reply(channel.JoinRef, m.Ref, m.Topic, "ok", w =>
            {
                w.WriteStartObject();
                w.WriteNumber("seq", head);
                w.WriteEndObject();
            }));
            return;
        }

        var reason = m.IsBinary ? "binary payloads are not supported" : $"unknown event '{m.Event}'";
        Reply(channel.JoinRef, m.Ref, m.Topic, "error", reason);
    }

    /// <summary>Stops a join in progress, then leaves every channel. Called once, when the transport is done.</summary>
    public async Task CloseAsync()
    {
        _joinCancel?.Cancel();
        await _joining;
        foreach (var channel in _channels.Values)
        {
            if (channel.Subscription is { } sub)
            {
                hub.Leave(sub);
            }
        }

        _channels.Clear();
    }

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

    /// <summary>
    /// <c>[null, ref, "phoenix", "access_token", {"token": "…"}]</c>: a fresher token replaces the connection's, so a
    /// long-lived client renews before expiry without reconnecting. Channels it no longer covers are closed.
    /// </summary>
    private async Task RefreshAsync(PhoenixMessage m)
    {
        if (access is null)
        {
            Reply(m.JoinRef, m.Ref, m.Topic, "ok"); // auth is off: nothing to renew
            return;
        }

        var token = m.Payload.TryGetProperty("token", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String ? t.GetString() : null;
        var refusal = token is null ? "'token' must be a string" : await access.RefreshAsync(token);
        if (refusal is not null)
        {
            Reply(m.JoinRef, m.Ref, m.Topic, "error", Unauthorized, refusal);
            return;
        }

        foreach (var (topic, channel) in _channels.ToList())
        {
            if (TopicRoute.TryParse(topic, out var route) && !access.Grant.Allows(route))
            {
                _channels.Remove(topic);
                if (channel.Subscription is { } sub)
                {
                    hub.Leave(sub);
                }

                Queue.Enqueue(FrameEncoder.Push(channel.JoinRef, channel.JoinRef, topic, "phx_close", EmptyObject));
            }
        }

        var expires = access.Grant.ExpiresAt;
        Queue.Enqueue(FrameEncoder.Reply(m.JoinRef, m.Ref, m.Topic, "ok", w =>
        {
            w.WriteStartObject();
            if (expires is { } e)
            {
                w.WritePropertyName("expires_at");
                Json.WireTime.Write(w, e);
            }

            w.WriteEndObject();
        }));
    }

    private void Leave(PhoenixMessage m)
    {
        if (!_channels.TryGetValue(m.Topic, out var channel))
        {
            Reply(m.JoinRef, m.Ref, m.Topic, "ok");
            return;
        }

        if (m.JoinRef is not null && m.JoinRef != channel.JoinRef)
        {
            return; // a stale leave must not close the current channel
        }

        _channels.Remove(m.Topic);
        if (channel.Subscription is { } sub)
        {
            hub.Leave(sub);
        }

        PhoenixLog.Left(logger, m.Topic);
        Reply(channel.JoinRef, m.Ref, m.Topic, "ok");
        Queue.Enqueue(FrameEncoder.Push(channel.JoinRef, channel.JoinRef, m.Topic, "phx_close", EmptyObject));
    }

    private void Reply(string? joinRef, string? @ref, string topic, string status, string? reason = null, string? detail = null)
    {
        TagJoin(status, reason);

        Queue.Enqueue(FrameEncoder.Reply(joinRef, @ref, topic, status, reason is null ? null : w =>
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            if (detail is not null)
            {
                w.WriteString("detail", detail);
            }

            w.WriteEndObject();
        }));
    }

    private static void EmptyObject(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteEndObject();
    }

    private sealed class JoinedChannel(string? joinRef)
    {
        public string? JoinRef { get; } = joinRef;

        public ISubscription? Subscription { get; set; }
    }
}
