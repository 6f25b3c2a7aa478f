using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// A lean RFC 6455 client on a raw socket. It waits with zero-byte reads (an idle connection holds no buffer),
/// then reads everything available into one per-thread buffer and hands each complete message to its
/// <see cref="IWsReceiver"/> as a span, so a burst of coalesced frames costs one read and no allocation.
/// </summary>
internal sealed class WsClient
{
    private const int ReadBufferSize = 256 * 1024;

    [ThreadStatic]
    private static byte[]? t_read;

    private readonly Socket _socket;
    private readonly IWsReceiver _receiver;
    private byte[]? _partial;
    private int _partialLength;
    private byte[]? _message;
    private int _messageLength;
    private bool _inMessage;
    private int _closed;

    private WsClient(int id, Socket socket, IWsReceiver receiver)
    {
        Id = id;
        _socket = socket;
        _receiver = receiver;
    }

    public int Id { get; }

    /// <summary>A reply the protocol is waiting for (join, handshake); owned by the protocol.</summary>
    public PendingReply? Pending { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when the receive loop ends (peer closed, or <see cref="Close"/>).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public static async Task<WsClient> ConnectAsync(int id, IPEndPoint server, IPAddress? source, string pathAndQuery,
        IWsReceiver receiver, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, cancellationToken);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = Encoding.ASCII.GetBytes(
                $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancellationToken);

            var buffer = new byte[8192];
            var length = 0;
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == buffer.Length)
                {
                    throw new IOException("The upgrade response headers are too long.");
                }

                var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    throw new IOException("The server closed the connection during the WebSocket handshake.");
                }

                length += n;
            }

            var head = Encoding.ASCII.GetString(buffer, 0, end);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new IOException($"The server refused the WebSocket upgrade: {head.Split('\r')[0]}");
            }

            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            if (!head.Contains(accept, StringComparison.Ordinal))
            {
                throw new IOException("The server answered the upgrade with a wrong Sec-WebSocket-Accept.");
            }

            var client = new WsClient(id, socket, receiver);
            var extra = length - (end + 4);
            if (extra > 0)
            {
                client._partial = buffer[(end + 4)..length];
                client._partialLength = extra;
            }

            // Reads after readiness must never block: the receive loop drains with non-blocking Receive.
            socket.Blocking = false;
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Start() => Completion = ReceiveLoopAsync();

    /// <summary>Sends one masked text message.</summary>
    public async Task SendTextAsync(ReadOnlyMemory<byte> payload)
    {
        var frame = Frame(0x1, payload.Span);
        var sent = 0;
        while (sent < frame.Length)
        {
            sent += await _socket.SendAsync(frame.AsMemory(sent), SocketFlags.None);
        }
    }

    /// <summary>Closes the socket without a closing handshake (like a client that goes away).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _socket.Dispose();
        }
    }

    private static byte[] Frame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var header = payload.Length <= 125 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        Span<byte> mask = frame.AsSpan(header, 4);
        RandomNumberGenerator.Fill(mask);
        var body = frame.AsSpan(header + 4);
        for (var i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return frame;
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                // Zero-byte read: wait for data without holding a buffer.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                if (!DrainAvailable())
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Close();
            _receiver.OnClosed(this);
        }
    }

    /// <summary>Reads and handles everything the socket has. False when the peer closed.</summary>
    private bool DrainAvailable()
    {
        var buffer = t_read ??= GC.AllocateUninitializedArray<byte>(ReadBufferSize, pinned: true);
        while (true)
        {
            var length = _partialLength;
            var n = _socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return true;
            }

            if (error != SocketError.Success || n == 0)
            {
                return false;
            }

            // The incomplete frame from the last read goes in front of the new bytes.
            _partial.AsSpan(0, length).CopyTo(buffer);
            length += n;
            _partialLength = 0;
            var timestamp = Stopwatch.GetTimestamp();
            var consumed = HandleFrames(buffer.AsSpan(0, length), timestamp);
            if (consumed < 0)
            {
                return false;
            }

            var rest = length - consumed;
            if (rest > 0)
            {
                if (_partial is null || _partial.Length < rest)
                {
                    _partial = new byte[Math.Max(rest, 1024)];
                }

                buffer.AsSpan(consumed, rest).CopyTo(_partial);
                _partialLength = rest;
            }

            if (length < buffer.Length)
            {
                return true; // the socket had less than a full buffer: it is drained
            }
        }
    }

    /// <summary>Handles every complete frame; returns the bytes consumed, or -1 when the server closed.</summary>
    private int HandleFrames(ReadOnlySpan<byte> data, long timestamp)
    {
        var offset = 0;
        while (data.Length - offset >= 2)
        {
            var b0 = data[offset];
            var b1 = data[offset + 1];
            var opcode = (byte)(b0 & 0x0F);
            var fin = (b0 & 0x80) != 0;
            long length = b1 & 0x7F;
            var header = 2;
            if ((b1 & 0x80) != 0)
            {
                throw new InvalidDataException("The server sent a masked frame.");
            }

            if (length == 126)
            {
                if (data.Length - offset < 4)
                {
                    break;
                }

                length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
                header = 4;
            }
            else if (length == 127)
            {
                if (data.Length - offset < 10)
                {
                    break;
                }

                length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(offset + 2)..]);
                header = 10;
            }

            if (header + length > ReadBufferSize)
            {
                throw new InvalidDataException($"A {length}-byte frame is larger than the load generator's read buffer.");
            }

            if (data.Length - offset < header + length)
            {
                break;
            }

            var payload = data.Slice(offset + header, (int)length);
            offset += header + (int)length;
            switch (opcode)
            {
                case 0x0 or 0x1 or 0x2:
                    OnData(opcode, fin, payload, timestamp);
                    break;
                case 0x8:
                    return -1;
                case 0x9:
                    _ = SendControlAsync(0xA, payload.ToArray());
                    break;
            }
        }

        return offset;
    }

    private void OnData(byte opcode, bool fin, ReadOnlySpan<byte> payload, long timestamp)
    {
        if (fin && opcode != 0 && !_inMessage)
        {
            _receiver.OnMessage(this, payload, timestamp);
            return;
        }

        // A fragmented message (rare): assemble it, then hand it over whole.
        if (_message is null || _message.Length < _messageLength + payload.Length)
        {
            Array.Resize(ref _message, Math.Max(4096, (_messageLength + payload.Length) * 2));
        }

        payload.CopyTo(_message.AsSpan(_messageLength));
        _messageLength += payload.Length;
        _inMessage = !fin;
        if (fin)
        {
            _receiver.OnMessage(this, _message.AsSpan(0, _messageLength), timestamp);
            _messageLength = 0;
        }
    }

    private async Task SendControlAsync(byte opcode, byte[] payload)
    {
        try
        {
            await _socket.SendAsync(Frame(opcode, payload), SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>What a <see cref="WsClient"/> hands its messages to.</summary>
internal interface IWsReceiver
{
    /// <summary>A complete message; <paramref name="timestamp"/> is when the read that carried it returned.</summary>
    void OnMessage(WsClient client, ReadOnlySpan<byte> message, long timestamp);

    void OnClosed(WsClient client);
}

/// <summary>A reply a client waits for: the first message containing <see cref="Token"/>.</summary>
internal sealed class PendingReply(byte[] token)
{
    private readonly TaskCompletionSource<string> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[] Token { get; } = token;

    public Task<string> Task => _reply.Task;

    public bool TryMatch(ReadOnlySpan<byte> message)
    {
        if (message.IndexOf(Token) < 0)
        {
            return false;
        }

        _reply.TrySetResult(Encoding.UTF8.GetString(message));
        return true;
    }

    public void Fail(Exception error) => _reply.TrySetException(error);
}
