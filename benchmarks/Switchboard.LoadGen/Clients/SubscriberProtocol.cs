using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>What a subscriber does with the records it receives.</summary>
internal interface IRecordSink
{
    /// <summary>
    /// One broadcast record to connection <paramref name="client"/> (its <see cref="WsClient.Id"/>). A connection's
    /// records arrive on one thread, in the order it received them.
    /// </summary>
    void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client);
}

/// <summary>Which topic a received record came from.</summary>
internal enum RecordKind
{
    /// <summary>The global topic (<c>sessions</c> / the <c>sessions</c> group).</summary>
    Global,
    /// <summary>A per-session topic (<c>session:{id}</c> / its group).</summary>
    Session,
    /// <summary>Switchboard's derived <c>summary</c> on the global topic: extra work SignalR does not do.</summary>
    Summary,
}

/// <summary>
/// The wire protocol a subscriber speaks: how to open, join a topic and keep the connection alive, and how to
/// classify what arrives. One instance serves every connection of a pool.
/// </summary>
internal abstract class SubscriberProtocol : IWsReceiver
{
    private IRecordSink? _sink;
    private int _unexpectedCloses;

    public abstract string PathAndQuery { get; }

    public abstract TimeSpan HeartbeatInterval { get; }

    public abstract ReadOnlyMemory<byte> Heartbeat { get; }

    /// <summary>Where records go; null while connecting and joining (join replies carry snapshots).</summary>
    public IRecordSink? Sink
    {
        get => Volatile.Read(ref _sink);
        set => Volatile.Write(ref _sink, value);
    }

    /// <summary>Connections the server closed (a slow-consumer cut, a timeout): any is a failed run.</summary>
    public int UnexpectedCloses => Volatile.Read(ref _unexpectedCloses);

    public bool ExpectCloses { get; set; }

    /// <summary>What a client sends first and what the server's answer contains; null when the protocol has no handshake.</summary>
    public virtual (string Text, string ReplyToken)? Handshake => null;

    /// <summary>Joining <paramref name="topic"/>: the text to send and what the reply contains.</summary>
    public abstract (string Text, string ReplyToken) Join(string topic, int joinNumber);

    /// <summary>Throws when <paramref name="reply"/> refuses the handshake (topic null) or the join of <paramref name="topic"/>.</summary>
    public abstract void CheckReply(string? topic, string reply);

    public async Task HandshakeAsync(WsClient client, CancellationToken cancellationToken)
    {
        if (Handshake is { } handshake)
        {
            CheckReply(null, await RequestAsync(client, handshake.Text, handshake.ReplyToken, cancellationToken));
        }
    }

    public async Task JoinAsync(WsClient client, string topic, int joinNumber, CancellationToken cancellationToken)
    {
        var (text, token) = Join(topic, joinNumber);
        CheckReply(topic, await RequestAsync(client, text, token, cancellationToken));
    }

    /// <summary>A message a subscriber that is not a <see cref="WsClient"/> received (<see cref="ClientWebSocketPool"/>).</summary>
    public void Receive(ReadOnlySpan<byte> message, long timestamp, int client)
    {
        if (Sink is { } sink)
        {
            Dispatch(message, sink, timestamp, client);
        }
    }

    /// <summary>A subscriber that is not a <see cref="WsClient"/> was closed.</summary>
    public void Closed()
    {
        if (!ExpectCloses)
        {
            Interlocked.Increment(ref _unexpectedCloses);
        }
    }

    public void OnMessage(WsClient client, ReadOnlySpan<byte> message, long timestamp)
    {
        if (client.Pending is { } pending && pending.Matches(message))
        {
            // Cleared before completing: the waiter may send its next request (and set the next Pending) at once.
            client.Pending = null;
            pending.Complete(message);
            return;
        }

        if (Sink is { } sink)
        {
            Dispatch(message, sink, timestamp, client.Id);
        }
    }

    public void OnClosed(WsClient client)
    {
        client.Pending?.Fail(new IOException($"connection {client.Id} closed while waiting for a reply"));
        if (!ExpectCloses)
        {
            Interlocked.Increment(ref _unexpectedCloses);
        }
    }

    /// <summary>Splits a message into broadcast records and classifies them.</summary>
    protected abstract void Dispatch(ReadOnlySpan<byte> message, IRecordSink sink, long timestamp, int client);

    /// <summary>Sends <paramref name="text"/> and waits for the first message containing <paramref name="token"/>.</summary>
    protected static async Task<string> RequestAsync(WsClient client, string text, string token, CancellationToken cancellationToken)
    {
        var pending = new PendingReply(Encoding.UTF8.GetBytes(token));
        client.Pending = pending;
        await client.SendTextAsync(Encoding.UTF8.GetBytes(text));
        try
        {
            return await pending.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"connection {client.Id}: no reply to {text.TrimEnd('\u001e')} within 60 s ({client.Describe()})");
        }
    }
}
