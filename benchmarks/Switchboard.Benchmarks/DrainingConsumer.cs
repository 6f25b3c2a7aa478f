using System.Buffers;
using Switchboard.Server.Live.Fanout;
using Switchboard.Server.Outbound;

namespace Switchboard.Benchmarks;

/// <summary>
/// Stands in for a connection: when its queue signals, it is put on a ready list, and draining it does what
/// WebSocketConnection.DrainAsync does before the socket write: take the pending frames and copy them into one
/// pooled buffer. The write itself is left out (it is the kernel's cost, not the fan-out's).
/// </summary>
internal sealed class DrainingConsumer(List<DrainingConsumer> ready) : ISendQueueConsumer
{
    private readonly OutboundFrame[] _batch = new OutboundFrame[64];

    public SendQueue Queue { get; set; } = null!;

    public long BytesDrained { get; private set; }

    public void OnFramesAvailable() => ready.Add(this);

    public void OnReset(string reason) => throw new InvalidOperationException("a benchmark queue is never reset");

    public void OnOverflow() => throw new InvalidOperationException("a benchmark consumer overflowed: it was not drained");

    public void Drain()
    {
        int count;
        while ((count = Queue.Drain(_batch)) > 0)
        {
            var total = 0;
            for (var i = 0; i < count; i++)
            {
                total += _batch[i].Size;
            }

            var buffer = ArrayPool<byte>.Shared.Rent(total);
            var offset = 0;
            for (var i = 0; i < count; i++)
            {
                var bytes = _batch[i].WebSocketFrame.Span;
                bytes.CopyTo(buffer.AsSpan(offset));
                offset += bytes.Length;
                _batch[i] = null!;
            }

            ArrayPool<byte>.Shared.Return(buffer);
            BytesDrained += offset;
        }
    }
}
