using Microsoft.Extensions.Logging;
using Switchboard.Server.Live;
using Switchboard.Server.Outbound;
using Switchboard.Server.Security;

namespace Switchboard.Server.Phoenix;

/// <summary>
/// One Phoenix connection's channels, independent of the transport: heartbeats, join, leave, replies and
/// the routing rules of the spec (unmatched topics, duplicate joins, stale join refs). Messages are handled
/// one at a time, in order, by the transport's read loop, with one exception: a join that is replaying goes on in the
/// background, and heartbeats are answered meanwhile (a long replay to a slow client would otherwise starve them, and
/// phoenix.js reconnects after one unanswered heartbeat); every other message waits for the join.
/// <see cref="CloseAsync"/> runs after the read loop has ended.
/// </summary>
internal sealed partial class PhoenixSocket(JoinCoordinator hub, SendQueue queue, ILogger logger, ConnectionAccess? access = null)
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
                Switchboard.Core.Json.WireTime.Write(w, e);
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
