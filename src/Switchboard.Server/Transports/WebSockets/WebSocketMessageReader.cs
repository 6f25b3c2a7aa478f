using System.Buffers;
using System.Buffers.Binary;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary>What <see cref="WebSocketMessageReader.Read"/> found at the front of a connection's input.</summary>
internal enum WebSocketRead
{
    /// <summary>No whole frame yet: nothing consumed.</summary>
    NeedMore,

    /// <summary>A data frame of a message that goes on: kept until its last fragment.</summary>
    Fragment,

    /// <summary>A whole message (<see cref="WebSocketMessageReader.MessageOpcode"/>, <see cref="WebSocketMessageReader.Message"/>); a text one is valid UTF-8.</summary>
    Message,

    /// <summary>A ping: answer with a pong carrying <see cref="WebSocketMessageReader.ControlPayload"/>.</summary>
    Ping,

    /// <summary>A pong: nothing to do.</summary>
    Pong,

    /// <summary>
    /// The peer closes: answer with <see cref="WebSocketMessageReader.CloseCode"/> (its own code echoed, 1000 for none, or
    /// 1002/1007 when its close frame breaks the rules, then <see cref="WebSocketMessageReader.CloseIsViolation"/>).
    /// </summary>
    Close,

    /// <summary>A protocol violation: close with <see cref="WebSocketMessageReader.CloseCode"/> (1002, 1007 or 1009).</summary>
    Refused,
}

/// <summary>
/// Reads client frames (RFC 6455 §5) into messages, one frame per call: fragments are assembled into one pooled buffer,
/// unmasked, up to <c>maxMessageBytes</c> in all; control frames may come between the fragments of a message. Every
/// input ends as one <see cref="WebSocketRead"/>, a refusal always with a defined close code. The connection only moves
/// bytes: it counts each frame against its message rate and acts on what this returns. One per connection; not
/// thread-safe.
/// </summary>
internal sealed class WebSocketMessageReader(int maxMessageBytes) : IDisposable
{
    private readonly byte[] _control = new byte[125];
    private int _controlLength;
    private byte[]? _message;
    private int _messageLength;
    private byte _messageOpcode;
    private bool _delivered;

    /// <summary>The header of the frame just read (valid after any outcome but <see cref="WebSocketRead.NeedMore"/> and some refusals).</summary>
    public FrameHeader Header { get; private set; }

    /// <summary>Bytes of the input the last read took: the whole frame, or 0.</summary>
    public long Consumed { get; private set; }

    /// <summary>For <see cref="WebSocketRead.Close"/> and <see cref="WebSocketRead.Refused"/>: the code to close with.</summary>
    public ushort CloseCode { get; private set; }

    /// <summary>For <see cref="WebSocketRead.Close"/> and <see cref="WebSocketRead.Refused"/>: why, for the close frame and the log.</summary>
    public string CloseReason { get; private set; } = "";

    /// <summary>For <see cref="WebSocketRead.Close"/>: the peer's close frame itself broke the rules.</summary>
    public bool CloseIsViolation { get; private set; }

    /// <summary>For <see cref="WebSocketRead.Ping"/>: its payload, valid until the next read.</summary>
    public ReadOnlySpan<byte> ControlPayload => _control.AsSpan(0, _controlLength);

    /// <summary>For <see cref="WebSocketRead.Message"/>: <see cref="FrameHeader.Text"/> or <see cref="FrameHeader.Binary"/>.</summary>
    public byte MessageOpcode { get; private set; }

    /// <summary>For <see cref="WebSocketRead.Message"/>: the unmasked payload, valid until <see cref="Release"/>, the next read or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Message => _delivered ? _message.AsMemory(0, _messageLength) : default;

    /// <summary>Reads the next frame off the front of <paramref name="buffer"/>.</summary>
    public WebSocketRead Read(in ReadOnlySequence<byte> buffer)
    {
        if (_delivered)
        {
            Release();
        }

        Consumed = 0;
        if (!WebSocketFrameParser.TryReadHeader(buffer, out var header, out var code, out var error))
        {
            return error is null ? WebSocketRead.NeedMore : Refuse(code, error);
        }

        Header = header;
        if (!header.IsControl && _messageLength + header.PayloadLength > maxMessageBytes)
        {
            // Refused on the header: a client cannot make the server hold more than the limit.
            return Refuse(CloseCodes.MessageTooBig, $"message larger than {maxMessageBytes} bytes");
        }

        var frameLength = header.HeaderLength + header.PayloadLength;
        if (buffer.Length < frameLength)
        {
            return WebSocketRead.NeedMore;
        }

        Consumed = frameLength;
        var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
        return header.IsControl ? ReadControl(header, payload) : ReadData(header, payload);
    }

    private WebSocketRead ReadControl(FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        _controlLength = (int)header.PayloadLength;
        WebSocketFrameParser.Unmask(payload, header.Mask, _control.AsSpan(0, _controlLength));
        switch (header.Opcode)
        {
            case FrameHeader.Ping:
                return WebSocketRead.Ping;
            case FrameHeader.Pong:
                return WebSocketRead.Pong;
        }

        // Answer a close with the same code (RFC 6455 §5.5.1); a close without a code gets 1000.
        var data = ControlPayload;
        (CloseCode, CloseReason, CloseIsViolation) = data.Length switch
        {
            0 => (CloseCodes.Normal, "", false),
            1 => (CloseCodes.ProtocolError, "close frame payload must be empty or at least 2 bytes", true),
            _ => ClosingCode(BinaryPrimitives.ReadUInt16BigEndian(data), data[2..]),
        };
        return WebSocketRead.Close;
    }

    /// <summary>Echo a code a peer may send (RFC 6455 §7.4); a reserved, unassigned or local-only code and a reason that is not UTF-8 are its protocol errors.</summary>
    private static (ushort Code, string Reason, bool Violation) ClosingCode(ushort code, ReadOnlySpan<byte> reason) =>
        !IsSendableCloseCode(code) ? (CloseCodes.ProtocolError, $"close code {code} may not be sent", true)
        : !System.Text.Unicode.Utf8.IsValid(reason) ? (CloseCodes.InvalidPayload, "close reason is not valid UTF-8", true)
        : (code, "", false);

    /// <summary>1000-1003 and 1007-1014 are defined for endpoints to send, 3000-4999 are for libraries and applications.</summary>
    private static bool IsSendableCloseCode(ushort code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private WebSocketRead ReadData(FrameHeader header, in ReadOnlySequence<byte> payload)
    {
        if (header.Opcode == FrameHeader.Continuation && _messageOpcode == 0)
        {
            return Refuse(CloseCodes.ProtocolError, "continuation frame without a message to continue");
        }

        if (header.Opcode != FrameHeader.Continuation)
        {
            if (_messageOpcode != 0)
            {
                return Refuse(CloseCodes.ProtocolError, "new message started before the previous one finished");
            }

            _messageOpcode = header.Opcode;
        }

        var length = (int)header.PayloadLength;
        if (_message is null || _message.Length < _messageLength + length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_messageLength + length, 256));
            _message?.AsSpan(0, _messageLength).CopyTo(bigger);
            if (_message is not null)
            {
                ArrayPool<byte>.Shared.Return(_message);
            }

            _message = bigger;
        }

        WebSocketFrameParser.Unmask(payload, header.Mask, _message.AsSpan(_messageLength, length));
        _messageLength += length;
        if (!header.Fin)
        {
            return WebSocketRead.Fragment;
        }

        if (_messageOpcode == FrameHeader.Text && !System.Text.Unicode.Utf8.IsValid(_message.AsSpan(0, _messageLength)))
        {
            return Refuse(CloseCodes.InvalidPayload, "text message is not valid UTF-8");
        }

        MessageOpcode = _messageOpcode;
        _messageOpcode = 0;
        _delivered = true;
        return WebSocketRead.Message;
    }

    private WebSocketRead Refuse(ushort code, string reason)
    {
        (CloseCode, CloseReason) = (code, reason);
        Release();
        return WebSocketRead.Refused;
    }

    /// <summary>Gives the message buffer back to the pool once the message was parsed: an idle connection holds no buffer.</summary>
    public void Release()
    {
        _messageLength = 0;
        _messageOpcode = 0;
        _delivered = false;
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
        }
    }

    /// <summary>Gives the message buffer back to the pool (the connection ended, maybe mid-message).</summary>
    public void Dispose() => Release();
}
