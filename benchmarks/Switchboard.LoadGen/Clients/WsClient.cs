using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// A lean RFC 6455 client on a raw socket. The handshake is synchronous; afterwards an <see cref="EpollLoop"/> thread
/// reads the socket when it is readable, with one non-blocking recv into a per-thread buffer, and hands each complete
/// message to the <see cref="IWsReceiver"/> as a span: a burst of coalesced frames costs one read and no allocation,
/// and an idle connection holds no buffer. The socket never runs a .NET async operation, so the runtime's own
/// epoll thread is never woken for it.
/// </summary>
internal sealed unsafe partial class WsClient
{
    private const int ReadBufferSize = 256 * 1024;

    [ThreadStatic]
    private static byte[]? t_read;

    private readonly Socket _socket;
    private readonly IWsReceiver _receiver;
    private readonly object _sendLock = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EpollLoop? _loop;
    private int _fd;
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

    /// <summary>Completes when the connection is closed (by the peer, or <see cref="Close"/>).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Connects and upgrades, blocking the calling thread (a millisecond on loopback).</summary>
    public static WsClient Connect(int id, IPEndPoint server, IPAddress? source, string pathAndQuery, IWsReceiver receiver)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            socket.Connect(server);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            socket.Send(Encoding.ASCII.GetBytes(
                $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));

            var buffer = new byte[8192];
            var length = 0;
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == buffer.Length)
                {
                    throw new IOException("The upgrade response headers are too long.");
                }

                var n = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
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

            socket.Blocking = false;
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>State for error messages.</summary>
    public string Describe() => $"closed {IsClosed}, {_partialLength} bytes of a partial frame, fd {_fd}, {_socket.Available} bytes unread";

    /// <summary>Starts receiving on <paramref name="loop"/>.</summary>
    public void Start(EpollLoop loop)
    {
        _loop = loop;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        loop.Add(this, _fd);
    }

    /// <summary>Sends one masked text message (non-blocking socket; waits briefly if its buffer is full).</summary>
    public Task SendTextAsync(ReadOnlyMemory<byte> payload)
    {
        Send(Frame(0x1, payload.Span));
        return Task.CompletedTask;
    }

    /// <summary>Closes the socket without a closing handshake (like a client that goes away).</summary>
    public void Close() => Shutdown(notify: false);

    private void Shutdown(bool notify)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _loop?.Remove(this, _fd);
        _socket.Dispose();
        Pending?.Fail(new IOException($"connection {Id} closed while waiting for a reply"));
        if (notify)
        {
            _receiver.OnClosed(this);
        }

        _completion.TrySetResult();
    }

    private void Send(byte[] frame)
    {
        lock (_sendLock)
        {
            var sent = 0;
            var spins = 0;
            while (sent < frame.Length && !IsClosed)
            {
                var n = _socket.Send(frame, sent, frame.Length - sent, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    if (++spins > 10_000)
                    {
                        throw new IOException($"connection {Id}: the send buffer stayed full");
                    }

                    Thread.Sleep(1);
                    continue;
                }

                if (error != SocketError.Success)
                {
                    return; // closed; the receive side notices
                }

                sent += n;
            }
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
}
