using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Switchboard.Outbound;
using Switchboard.Phoenix;

namespace Switchboard.Transports.WebSockets;

internal sealed partial class WebSocketConnection
{
    private byte[]? _message;
    private int _messageLength;
    private byte _messageOpcode;

    private async Task ReadLoopAsync(CancellationToken aborted)
    {
        while (true)
        {
            // No token: an aborted connection completes the read anyway, and a cancellable read would register
            // a callback on every idle connection.
            var read = await _input.ReadAsync();
            var buffer = read.Buffer;
            if (read.IsCanceled)
            {
                return;
            }

            if (!WebSocketFrameParser.TryReadHeader(buffer, out var header, out var closeCode, out var error))
            {
                if (error is not null)
                {
                    await CloseAndWaitAsync(closeCode, error);
                    return;
                }

                if (read.IsCompleted)
                {
                    return; // the peer went away without a close frame
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (!header.IsControl && _messageLength + header.PayloadLength > _options.MaxFrameBytes)
            {
                await CloseAndWaitAsync(CloseCodes.MessageTooBig, $"message larger than {_options.MaxFrameBytes} bytes");
                return;
            }

            var frameLength = header.HeaderLength + header.PayloadLength;
            if (buffer.Length < frameLength)
            {
                if (read.IsCompleted)
                {
                    return;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var payload = buffer.Slice(header.HeaderLength, header.PayloadLength);

            // Every frame costs a token, so floods of pongs or empty fragments are limited like messages; only a whole
            // message or a ping is activity, so they cannot keep an otherwise silent connection from its idle timeout.
            if (header.Fin && header.Opcode != FrameHeader.Pong)
            {
                Touch();
            }

            if (!_rate.TryTake(_time, _options))
            {
                _input.AdvanceTo(buffer.GetPosition(frameLength));
                await CloseAndWaitAsync(CloseCodes.PolicyViolation, $"more than {_options.MaxMessagesPerSecond} messages per second");
                return;
            }

            if (header.IsControl)
            {
                var stop = HandleControl(header, payload, out var replyCode, out var replyReason);
                _input.AdvanceTo(buffer.GetPosition(frameLength));
                if (stop)
                {
                    await CloseAndWaitAsync(replyCode, replyReason, violation: replyCode is CloseCodes.ProtocolError or CloseCodes.InvalidPayload);
                    return;
                }

                continue;
            }

            var protocolError = Append(header, payload);
            _input.AdvanceTo(buffer.GetPosition(frameLength));
            if (protocolError is not null)
            {
                await CloseAndWaitAsync(CloseCodes.ProtocolError, protocolError);
                return;
            }

            if (header.Fin && !await DeliverMessageAsync(aborted))
            {
                return;
            }
        }
    }

    /// <summary>Handles ping, pong and close. Returns true when the connection should close.</summary>
    private bool HandleControl(FrameHeader header, ReadOnlySequence<byte> payload, out ushort code, out string reason)
    {
        code = CloseCodes.Normal;
        reason = "";
        Span<byte> data = stackalloc byte[125];
        data = data[..(int)header.PayloadLength];
        WebSocketFrameParser.Unmask(payload, header.Mask, data);
        switch (header.Opcode)
        {
            case FrameHeader.Ping:
                Queue.Enqueue(PongFrame(data));
                return false;
            case FrameHeader.Pong:
                return false;
            default:
                // Answer a close with the same code (RFC 6455 §5.5.1); a close without a code gets 1000.
                if (data.Length == 1)
                {
                    code = CloseCodes.ProtocolError;
                    reason = "close frame payload must be empty or at least 2 bytes";
                }
                else if (data.Length >= 2)
                {
                    // Echo a code a peer may send (RFC 6455 §7.4); reserved, unassigned or local-only codes and a reason that
                    // is not UTF-8 are the peer's protocol errors.
                    code = BinaryPrimitives.ReadUInt16BigEndian(data);
                    if (!IsSendableCloseCode(code))
                    {
                        reason = $"close code {code} may not be sent";
                        code = CloseCodes.ProtocolError;
                    }
                    else if (!IsValidUtf8(data[2..]))
                    {
                        code = CloseCodes.InvalidPayload;
                        reason = "close reason is not valid UTF-8";
                    }
                }

                CloseReason ??= "client closed";
                return true;
        }
    }

    /// <summary>1000-1003 and 1007-1014 are defined for endpoints to send, 3000-4999 are for libraries and applications.</summary>
    private static bool IsSendableCloseCode(ushort code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private string? Append(FrameHeader header, ReadOnlySequence<byte> payload)
    {
        if (header.Opcode == FrameHeader.Continuation)
        {
            if (_messageOpcode == 0)
            {
                return "continuation frame without a message to continue";
            }
        }
        else
        {
            if (_messageOpcode != 0)
            {
                return "new message started before the previous one finished";
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
        return null;
    }

    /// <summary>Parses and handles a complete message. Returns false when the connection was closed.</summary>
    private async Task<bool> DeliverMessageAsync(CancellationToken aborted)
    {
        var bytes = _message.AsMemory(0, _messageLength);
        var opcode = _messageOpcode;
        PhoenixMessage? message;
        string? error;
        try
        {
            if (opcode == FrameHeader.Text)
            {
                if (!IsValidUtf8(bytes.Span))
                {
                    await CloseAndWaitAsync(CloseCodes.InvalidPayload, "text message is not valid UTF-8");
                    return false;
                }

                try
                {
                    message = PhoenixMessage.Parse(_serializer, bytes, out error);
                }
                catch (InvalidOperationException)
                {
                    // A topic, event or ref with a lone surrogate escape: valid UTF-8, but not text.
                    await CloseAndWaitAsync(CloseCodes.InvalidPayload, "message holds a lone surrogate escape, which is not Unicode text");
                    return false;
                }
            }
            else
            {
                error = "the V1 serializer has no binary frames";
                message = _serializer == PhoenixSerializer.V2 ? PhoenixMessage.ParseBinary(bytes.Span, out error) : null;
            }
        }
        finally
        {
            ReleaseMessage();
        }

        if (message is null)
        {
            await CloseAndWaitAsync(CloseCodes.UnsupportedData, $"invalid Phoenix {_serializer} message: " + error);
            return false;
        }

        await _socket.HandleAsync(message);

        return true;
    }

    private void ReleaseMessage()
    {
        _messageLength = 0;
        _messageOpcode = 0;
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null; // idle connections hold no buffer
        }
    }

    private async Task CloseAndWaitAsync(ushort code, string reason, bool violation = true)
    {
        if (violation)
        {
            TransportLog.ProtocolViolation(_registry.Logger, Transport, code, reason);
        }

        Close(code, reason);
        if (_closeWritten is { } written)
        {
            await Task.WhenAny(written.Task, Task.Delay(TimeSpan.FromSeconds(2)));
        }
    }

    private static OutboundFrame PongFrame(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[OutboundFrame.HeaderReserve + data.Length];
        data.CopyTo(buffer.AsSpan(OutboundFrame.HeaderReserve));
        return new OutboundFrame(buffer, data.Length, FrameKind.Reply, 0, null, 0, 0, opcode: FrameHeader.Pong);
    }

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
