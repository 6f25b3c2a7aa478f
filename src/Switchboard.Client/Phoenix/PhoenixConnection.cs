using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Client.Phoenix;

/// <summary>
/// One WebSocket speaking Phoenix V2: serialized sends, string refs, heartbeats on topic <c>phoenix</c>, and
/// whole text messages out of the read side.
/// </summary>
internal sealed class PhoenixConnection(ClientWebSocket socket) : IDisposable
{
    private const int MaxMessageBytes = 64 * 1024 * 1024;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private long _ref;
    private readonly object _heartbeatLock = new();
    private string? _pendingHeartbeat;

    public string NextRef() => Interlocked.Increment(ref _ref).ToString(CultureInfo.InvariantCulture);

    public async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends <c>phx_join</c> and returns its ref, which is also the channel's join_ref.</summary>
    public async Task<string> JoinAsync(string topic, Action<Utf8JsonWriter> payload, CancellationToken cancellationToken)
    {
        var r = NextRef();
        await SendAsync(PhoenixFrame.Encode(r, r, topic, "phx_join", payload), cancellationToken).ConfigureAwait(false);
        return r;
    }

    /// <summary>
    /// Sends a heartbeat, unless the previous one is still unanswered: then the connection is dead (or too slow to
    /// be useful) and is aborted, which ends the read side. Returns false in that case.
    /// </summary>
    public async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        var r = NextRef();
        lock (_heartbeatLock)
        {
            if (_pendingHeartbeat is not null)
            {
                socket.Abort();
                return false;
            }

            _pendingHeartbeat = r;
        }

        await SendAsync(PhoenixFrame.Encode(null, r, "phoenix", "heartbeat", w =>
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>A reply on topic <c>phoenix</c> arrived.</summary>
    public void OnHeartbeatReply(string? @ref)
    {
        lock (_heartbeatLock)
        {
            if (@ref == _pendingHeartbeat)
            {
                _pendingHeartbeat = null;
            }
        }
    }

    /// <summary>Whole text messages until the server closes; binary messages are skipped.</summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadMessagesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            message.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                var memory = message.GetMemory(8 * 1024);
                result = await socket.ReceiveAsync(memory, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    yield break;
                }

                message.Advance(result.Count);
                if (message.WrittenCount > MaxMessageBytes)
                {
                    throw new WebSocketException($"A server message exceeded {MaxMessageBytes} bytes.");
                }
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Text)
            {
                yield return message.WrittenMemory;
            }
        }
    }

    public void Abort() => socket.Abort();

    public void Dispose()
    {
        socket.Dispose();
        _sendLock.Dispose();
    }
}
