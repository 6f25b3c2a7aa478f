using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// A WebSocket client over a bare TCP socket that can send frames no well-behaved client would: unmasked,
/// fragmented oddly, oversized, with reserved bits. It reads server frames just well enough to see replies and
/// the close code.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects and completes the handshake; throws with the status line if the server refuses.</summary>
    public static async Task<RawWebSocket> ConnectAsync(Uri server, string pathAndQuery = "/socket/websocket?vsn=2.0.0", int receiveBuffer = 0,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var (status, head, ws) = await HandshakeAsync(server, pathAndQuery, headers, receiveBuffer);
        if (ws is null)
        {
            throw new InvalidOperationException("Handshake refused: " + head.Split("\r\n")[0]);
        }

        return ws;
    }

    /// <summary>
    /// Sends an upgrade request with extra <paramref name="headers"/> (Origin, Authorization, Sec-WebSocket-Protocol…) and
    /// returns the status, the response head, and the socket when the server switched protocols (null otherwise).
    /// </summary>
    public static async Task<(int Status, string Head, RawWebSocket? Socket)> HandshakeAsync(Uri server, string pathAndQuery = "/socket/websocket?vsn=2.0.0",
        IReadOnlyDictionary<string, string>? headers = null, int receiveBuffer = 0)
    {
        var tcp = new TcpClient();
        if (receiveBuffer > 0)
        {
            tcp.ReceiveBufferSize = receiveBuffer;
        }

        await tcp.ConnectAsync(server.Host, server.Port).WaitAsync(TestTimeouts.Default);
        var ws = new RawWebSocket(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder($"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        request.Append("\r\n");
        await ws._stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        var head = await ws.ReadHeadAsync();
        var status = int.Parse(head.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        if (status != 101)
        {
            await ws.DisposeAsync();
            return (status, head, null);
        }

        return (status, head, ws);
    }

    /// <summary>Sends one frame. <paramref name="masked"/> false breaks the protocol on purpose.</summary>
    public async Task SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, bool fin = true, bool masked = true, byte rsv = 0)
    {
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | rsv << 4 | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length <= 125)
        {
            header.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(payload.Length >> 8));
            header.Add((byte)payload.Length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            var len = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)payload.Length);
            header.AddRange(len);
        }

        var body = payload.ToArray();
        if (masked)
        {
            var mask = RandomNumberGenerator.GetBytes(4);
            header.AddRange(mask);
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= mask[i & 3];
            }
        }

        await _stream.WriteAsync(header.ToArray());
        await _stream.WriteAsync(body);
    }

    public Task SendTextAsync(string text) => SendFrameAsync(0x1, Encoding.UTF8.GetBytes(text));

    /// <summary>Reads server frames until a close frame; returns its code (null if the connection just ended).</summary>
    public async Task<(ushort? Code, List<string> Texts)> ReadUntilCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        var texts = new List<string>();
        try
        {
            while (true)
            {
                var (opcode, payload) = await ReadFrameAsync(cts.Token);
                if (opcode == 0x8)
                {
                    return (payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : null, texts);
                }

                if (opcode == 0x1)
                {
                    texts.Add(Encoding.UTF8.GetString(payload));
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OperationCanceledException)
        {
            return (null, texts);
        }
    }

    /// <summary>Reads the next text frame.</summary>
    public async Task<string> ReadTextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeouts.Default);
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync(cts.Token);
            if (opcode == 0x1)
            {
                return Encoding.UTF8.GetString(payload);
            }

            if (opcode == 0x8)
            {
                throw new InvalidOperationException("closed with " + (payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0));
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<(byte Opcode, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var head = await ReadExactlyAsync(2, cancellationToken);
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2, cancellationToken));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8, cancellationToken));
        }

        return ((byte)(head[0] & 0x0F), await ReadExactlyAsync((int)length, cancellationToken));
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }

    private async Task<string> ReadHeadAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            await _stream.ReadExactlyAsync(one, cts.Token);
            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}
