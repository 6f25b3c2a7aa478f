using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Transports.Sse;

/// <summary>
/// One Server-Sent Events stream. Shares the fan-out path with WebSocket (same queue, same shared frames)
/// but writes each frame's SSE form. Several topics feed one stream, so an event that belongs to more
/// than one of them is written once: live frames arrive in <c>seq</c> order, so a watermark suffices.
/// </summary>
internal sealed class SseConnection : ISendQueueConsumer, IThreadPoolWorkItem, IStreamConnection
{
    private static readonly OutboundFrame Heartbeat = OutboundFrame.SseOnly(SseRecord.Heartbeat);

    private readonly HttpContext _context;
    private readonly PipeWriter _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _done = new();
    private long _lastSeq;
    private int _draining;
    private readonly SseStartGate _gate = new();

    public SseConnection(HttpContext context, SocketOptions options, TimeProvider time, ConnectionRegistry registry)
    {
        _logger = registry.Logger;
        _context = context;
        _output = context.Response.BodyWriter;
        _time = time;
        LastActivity = time.GetTimestamp();
        Queue = new SendQueue(this, options.SendQueueMaxFrames, options.SendQueueMaxBytes);
    }

    public SendQueue Queue { get; }

    /// <summary>SSE clients send nothing; the stream stays alive while the client keeps the response open.</summary>
    public long LastActivity { get; private set; }

    /// <summary>Completes when the stream should end (client gone, overflow, shutdown).</summary>
    public CancellationToken Done => _done.Token;

    public void SendHeartbeat()
    {
        LastActivity = _time.GetTimestamp();
        Queue.Enqueue(Heartbeat);
    }

    public void Close(ushort code, string reason) => End();

    public void Abort(string reason) => End();

    /// <summary>True once the join has answered and the stream may be written.</summary>
    public bool IsOpen => _gate.IsOpen;

    /// <summary>The join has queued its replies: start writing (the response head goes out with the first record).</summary>
    public void Open()
    {
        if (_gate.Open())
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void ISendQueueConsumer.OnFramesAvailable()
    {
        // Frames before the join answered wait; Open schedules the drain.
        if (_gate.FramesAvailable())
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void ISendQueueConsumer.OnOverflow()
    {
        // Its writes are stuck, so the response could never end cleanly: drop the connection.
        TransportLog.SlowConsumer(_logger, "SSE");
        End();
        _context.Abort();
    }

    void ISendQueueConsumer.OnReset(string reason)
    {
        TransportLog.Reset(_logger, "SSE", reason);
        End();
    }

    void IThreadPoolWorkItem.Execute()
    {
        Interlocked.Increment(ref _draining);
        _ = DrainAsync();
    }

    /// <summary>Waits until no drain is writing, so the response can be completed safely.</summary>
    public async Task StopAsync()
    {
        Queue.Complete();
        for (var i = 0; i < 200 && Volatile.Read(ref _draining) != 0; i++)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        _done.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync()
    {
        var batch = new OutboundFrame[32];
        try
        {
            while (true)
            {
                var count = Queue.Drain(batch);
                if (count == 0)
                {
                    return;
                }

                var bytes = 0;
                for (var i = 0; i < count; i++)
                {
                    var frame = batch[i];
                    batch[i] = null!;
                    if (frame.Kind == FrameKind.Close || (frame.Seq > 0 && frame.Seq <= _lastSeq))
                    {
                        continue;
                    }

                    _lastSeq = Math.Max(_lastSeq, frame.Seq);
                    var record = frame.Sse.Span;
                    _output.Write(record);
                    bytes += record.Length;
                }

                OutboundCounters.Wrote(bytes);

                var result = await _output.FlushAsync();
                if (result.IsCompleted || result.IsCanceled)
                {
                    End();
                    return;
                }
            }
        }
        catch (Exception)
        {
            End();
        }
        finally
        {
            Interlocked.Decrement(ref _draining);
        }
    }

    private void End()
    {
        Queue.Complete();
        try
        {
            _done.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
