using Microsoft.AspNetCore.Connections;
using Switchboard.Server.Outbound;
using Switchboard.Server.Phoenix;

namespace Switchboard.Server.Transports.WebSockets;

internal sealed partial class WebSocketConnection
{
    private async Task ReadLoopAsync(CancellationToken aborted)
    {
        using var reader = new WebSocketMessageReader(_options.MaxFrameBytes);
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

            var outcome = reader.Read(buffer);
            if (outcome == WebSocketRead.NeedMore)
            {
                if (read.IsCompleted)
                {
                    return; // the peer went away without a close frame, maybe mid-frame
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            // The reader copied what it keeps (payloads are unmasked into its own buffers): the frame can go.
            _input.AdvanceTo(buffer.GetPosition(reader.Consumed));
            if (outcome == WebSocketRead.Refused)
            {
                await CloseAndWaitAsync(reader.CloseCode, reader.CloseReason);
                return;
            }

            // Every frame costs a token, so floods of pongs or empty fragments are limited like messages; only a whole
            // message or a ping is activity, so they cannot keep an otherwise silent connection from its idle timeout.
            if (reader.Header.Fin && outcome != WebSocketRead.Pong)
            {
                Touch();
            }

            if (!_rate.TryTake(_time, _options))
            {
                await CloseAndWaitAsync(CloseCodes.PolicyViolation, $"more than {_options.MaxMessagesPerSecond} messages per second");
                return;
            }

            switch (outcome)
            {
                case WebSocketRead.Ping:
                    Queue.Enqueue(PongFrame(reader.ControlPayload));
                    break;
                case WebSocketRead.Close:
                    CloseReason ??= "client closed";
                    await CloseAndWaitAsync(reader.CloseCode, reader.CloseReason, violation: reader.CloseIsViolation);
                    return;
                case WebSocketRead.Message when !await DeliverMessageAsync(reader):
                    return;
            }
        }
    }

    /// <summary>Parses and handles a complete message. Returns false when the connection was closed.</summary>
    private async Task<bool> DeliverMessageAsync(WebSocketMessageReader reader)
    {
        PhoenixMessage? message;
        string? error;
        try
        {
            if (reader.MessageOpcode == FrameHeader.Text)
            {
                message = PhoenixMessage.Parse(_serializer, reader.Message, out error);
            }
            else
            {
                error = "the V1 serializer has no binary frames";
                message = _serializer == PhoenixSerializer.V2 ? PhoenixMessage.ParseBinary(reader.Message.Span, out error) : null;
            }
        }
        catch (InvalidOperationException)
        {
            // A topic, event or ref with a lone surrogate escape: valid UTF-8, but not text.
            reader.Release();
            await CloseAndWaitAsync(CloseCodes.InvalidPayload, "message holds a lone surrogate escape, which is not Unicode text");
            return false;
        }

        reader.Release(); // the message keeps copies of what it needs

        if (message is null)
        {
            await CloseAndWaitAsync(CloseCodes.UnsupportedData, $"invalid Phoenix {_serializer} message: " + error);
            return false;
        }

        await _socket.HandleAsync(message);

        return true;
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
            await Task.WhenAny(written.Task, Task.Delay(CloseGrace));
        }

        await DiscardInputAsync();
    }

    /// <summary>
    /// After our close frame: reads and drops what the peer still sends until it hangs up, for at most
    /// <see cref="CloseGrace"/>. Ending the request with the peer's bytes unread makes the kernel reset the connection,
    /// and a reset throws away what it has not sent yet: a flooding client that had not read its replies lost its
    /// close frame (1008) that way on a busy machine.
    /// </summary>
    private async Task DiscardInputAsync()
    {
        // Network grace periods use real time: they bound how long a dead peer can hold a socket.
        using var grace = new CancellationTokenSource(CloseGrace);
        try
        {
            while (true)
            {
                var read = await _input.ReadAsync(grace.Token);
                _input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
        {
            // The grace period ended, or the connection was aborted (AbortLaterAsync): nothing more to wait for.
        }
    }

    private static OutboundFrame PongFrame(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[OutboundFrame.HeaderReserve + data.Length];
        data.CopyTo(buffer.AsSpan(OutboundFrame.HeaderReserve));
        return new OutboundFrame(buffer, data.Length, FrameKind.Reply, 0, null, 0, 0, opcode: FrameHeader.Pong);
    }

}
