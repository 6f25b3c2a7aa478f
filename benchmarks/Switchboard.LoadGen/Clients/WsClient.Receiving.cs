using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Switchboard.LoadGen.Clients;

internal sealed unsafe partial class WsClient
{
    /// <summary>Called on the loop thread when the socket is readable: one recv, then every complete frame.</summary>
    internal void OnReadable()
    {
        if (IsClosed)
        {
            return;
        }

        var handle = _socket.SafeHandle;
        var added = false;
        var closed = false;
        try
        {
            // The reference keeps the descriptor from being closed (and reused) while recv runs.
            handle.DangerousAddRef(ref added);
            closed = !ReadOnce((int)handle.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            closed = true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        if (closed)
        {
            Shutdown(notify: true);
        }
    }

    /// <summary>Reads what the socket has (up to the buffer) and handles it. False when the peer closed.</summary>
    private bool ReadOnce(int fd)
    {
        var buffer = t_read ??= GC.AllocateUninitializedArray<byte>(ReadBufferSize, pinned: true);
        var length = _partialLength;
        nint n;
        fixed (byte* p = buffer)
        {
            n = Libc.Recv(fd, p + length, buffer.Length - length, Libc.MsgDontWait);
        }

        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is Libc.EAgain or Libc.EIntr;
        }

        if (n == 0)
        {
            return false;
        }

        // The incomplete frame from the last read goes in front of the new bytes.
        _partial.AsSpan(0, length).CopyTo(buffer);
        length += (int)n;
        _partialLength = 0;
        var consumed = HandleFrames(buffer.AsSpan(0, length), Stopwatch.GetTimestamp());
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

        return true;
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
                    Send(Frame(0xA, payload));
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
}
