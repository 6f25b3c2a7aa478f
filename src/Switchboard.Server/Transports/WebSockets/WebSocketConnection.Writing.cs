using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Switchboard.Server.Outbound;
using Switchboard.Server.Phoenix;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary>
/// The send side: one drain at a time (the queue signals once until a drain finds it empty) copies every pending frame
/// into the output and flushes once. A drain starts as a thread-pool work item, or, when the live loop has nothing else
/// to do, on the loop's own thread: it runs there only until a write does not complete at once (the socket's buffers are
/// full), and from then on the same drain goes on in the pool, so the loop never waits on one connection's socket.
/// </summary>
internal sealed partial class WebSocketConnection
{
    private const int DrainBatch = 64;

    [ThreadStatic]
    private static OutboundFrame[]? t_batch;

    private long _inlineDrains;
    private long _queuedDrains;

    /// <summary>Drains started on the waking thread (the live loop's), for tests and profiles.</summary>
    public long InlineDrains => Interlocked.Read(ref _inlineDrains);

    /// <summary>Drains started as a thread-pool work item.</summary>
    public long QueuedDrains => Interlocked.Read(ref _queuedDrains);

    void ISendQueueConsumer.OnFramesAvailable() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void ISendQueueConsumer.OnFramesAvailableInline()
    {
        // One wake-up of a pool thread saved per connection and event: at everyday rates most drains are one frame
        // written into a pipe with room, which completes at once.
        Interlocked.Increment(ref _inlineDrains);
        Interlocked.Increment(ref _draining);
        _ = DrainAsync();
    }

    void IThreadPoolWorkItem.Execute()
    {
        Interlocked.Increment(ref _queuedDrains);
        Interlocked.Increment(ref _draining);
        _ = DrainAsync();
    }
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync()
    {
        try
        {
            while (true)
            {
                var batch = t_batch ??= new OutboundFrame[DrainBatch];
                var count = Queue.Drain(batch);
                if (count == 0)
                {
                    return;
                }

                for (var i = 0; i < count; i++)
                {
                    batch[i] = batch[i].For(_serializer); // V1's form of a shared frame is built once, by its first V1 reader
                }

                // Coalesce every pending frame into one buffer and one write: one flush, one syscall.
                var total = 0;
                var closing = false;
                var used = 0;
                for (; used < count && !closing; used++)
                {
                    total += batch[used].Size;
                    closing = batch[used].Kind == FrameKind.Close;
                }

                if (used == 1)
                {
                    // One frame (the common case at low rates): its shared bytes go out as they are, no copy.
                    var frame = batch[0];
                    for (var i = 0; i < count; i++)
                    {
                        batch[i] = null!;
                    }

                    OutboundCounters.Wrote(frame.Size);
                    var single = _transport.WriteAsync(frame.WebSocketFrame);
                    if (!single.IsCompletedSuccessfully)
                    {
                        await single;
                    }
                }
                else
                {
                    await WriteCoalescedAsync(batch, count, used, total);
                }

                if (closing)
                {
                    Queue.Complete();
                    _closeWritten?.TrySetResult();
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // Usually the peer is gone; the read loop notices and cleans up. Anything else is a bug worth a line.
            if (ex is not (IOException or ConnectionAbortedException or ObjectDisposedException or OperationCanceledException or InvalidOperationException))
            {
                TransportLog.WriteFailed(_registry.Logger, Transport, ex);
            }

            Queue.Complete();
            _closeWritten?.TrySetResult();
        }
        finally
        {
            Interlocked.Decrement(ref _draining);
        }
    }

    /// <summary>Copies the first <paramref name="used"/> frames into one pooled buffer and writes it: one flush, one syscall.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteCoalescedAsync(OutboundFrame[] batch, int count, int used, int total)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (i < used)
            {
                var bytes = batch[i].WebSocketFrame.Span;
                bytes.CopyTo(buffer.AsSpan(offset));
                offset += bytes.Length;
            }

            batch[i] = null!;
        }

        OutboundCounters.Wrote(offset);
        var write = _transport.WriteAsync(buffer.AsMemory(0, offset));
        if (!write.IsCompletedSuccessfully)
        {
            try
            {
                await write;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        else
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
