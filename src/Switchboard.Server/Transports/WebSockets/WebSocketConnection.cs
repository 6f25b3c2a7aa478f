using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Outbound;
using Switchboard.Server.Phoenix;
using Switchboard.Server.Security;

namespace Switchboard.Server.Transports.WebSockets;

/// <summary>
/// One upgraded WebSocket connection speaking Phoenix V2. The read loop parses frames from Kestrel's
/// input pipe and hands complete messages to the <see cref="PhoenixSocket"/>. Writing is a thread-pool
/// work item scheduled when frames arrive: it copies every pending frame into the output pipe and
/// flushes once, so a burst of events costs one socket write, and a write that completes synchronously
/// allocates nothing.
/// </summary>
internal sealed partial class WebSocketConnection : ISendQueueConsumer, IThreadPoolWorkItem, IStreamConnection
{
    private const int DrainBatch = 64;

    [ThreadStatic]
    private static OutboundFrame[]? t_batch;

    private readonly Action _abort;
    private readonly ConnectionRegistry _registry;
    private readonly Stream _transport;
    private readonly PipeReader _input;
    private readonly SocketOptions _options;
    private readonly TimeProvider _time;
    private readonly PhoenixSocket _socket;
    private readonly ConnectionAccess? _access;
    private readonly PhoenixSerializer _serializer;
    private MessageRate _rate;
    private long _lastActivity;
    private readonly object _lifetime = new();
    private bool _finished;
    private int _draining;
    private int _closeQueued;
    private TaskCompletionSource? _closeWritten;

    /// <summary>How long a close waits for its frame to be written, and then for the peer to hang up, before aborting.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs on <paramref name="transport"/>: an upgraded request's stream, or (accepted at the connection level) the socket's
    /// own pipes, which are then read directly. <paramref name="abort"/> drops the underlying connection.
    /// </summary>
    public WebSocketConnection(Action abort, Stream transport, JoinCoordinator hub, SocketOptions options, TimeProvider time,
        ConnectionAccess? access, ConnectionRegistry registry, PhoenixSerializer serializer)
    {
        _registry = registry;
        _serializer = serializer;
        _abort = abort;
        _transport = transport;
        // Zero-byte reads: an idle connection holds no read buffer until data arrives (the socket transport does the same).
        _input = transport is IDuplexPipe pipe
            ? pipe.Input
            : PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        _options = options;
        _time = time;
        _lastActivity = time.GetTimestamp();
        Queue = new SendQueue(this, options.SendQueueMaxFrames, options.SendQueueMaxBytes);
        _access = access;
        _socket = new PhoenixSocket(hub, Queue, registry.PhoenixLogger, access);
        access?.Start(() => Close(CloseCodes.PolicyViolation, "token expired"));
    }

    public SendQueue Queue { get; }

    /// <summary>True when accepted at the connection level (running on the socket's pipes, no HTTP request behind it).</summary>
    public bool IsConnectionLevel => _transport is IDuplexPipe;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Why the connection ended, for logs and tests.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Runs until the connection ends, registered with the registry, then gives back the slot reserved at accept.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        _registry.Add(this);
        TransportLog.Opened(_registry.Logger, Transport, _registry.Count);
        try
        {
            await ReadLoopAsync(aborted);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or BadHttpRequestException)
        {
        }
        catch (Exception ex)
        {
            CloseReason ??= "read loop crashed";
            TransportLog.ReadLoopCrashed(_registry.Logger, Transport, ex);
        }
        finally
        {
            TransportLog.Closed(_registry.Logger, Transport, CloseReason ?? "the client went away");
            _access?.Dispose();
            await _socket.CloseAsync();
            Queue.Complete();
            // Let a drain that is mid-write finish before the request (and its pipes) are torn down.
            for (var i = 0; i < 200 && Volatile.Read(ref _draining) != 0; i++)
            {
                await Task.Delay(10, CancellationToken.None);
            }

            lock (_lifetime)
            {
                _finished = true;
            }

            _registry.Remove(this);
            _registry.Release();
        }
    }

    public void Close(ushort code, string reason)
    {
        if (Interlocked.Exchange(ref _closeQueued, 1) != 0)
        {
            return;
        }

        CloseReason ??= reason;
        Interlocked.CompareExchange(ref _closeWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        if (!Queue.Enqueue(FrameEncoder.Close(code, reason)))
        {
            Abort(reason);
            return;
        }

        // A client that never answers our close frame must not hold the connection open.
        _ = AbortLaterAsync(reason);
    }

    public void Abort(string reason)
    {
        CloseReason ??= reason;
        Queue.Complete();
        lock (_lifetime)
        {
            // After the request ends Kestrel may reuse the context object; never abort someone else's request.
            if (!_finished)
            {
                _abort();
            }
        }
    }

    void ISendQueueConsumer.OnFramesAvailable() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void ISendQueueConsumer.OnOverflow()
    {
        TransportLog.SlowConsumer(_registry.Logger, Transport);
        Abort("slow consumer: send queue full");
    }

    void ISendQueueConsumer.OnReset(string reason)
    {
        TransportLog.Reset(_registry.Logger, Transport, reason);
        Close(CloseCodes.InternalError, reason);
    }

    private const string Transport = "WebSocket";

    void IThreadPoolWorkItem.Execute()
    {
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

    private async Task AbortLaterAsync(string reason)
    {
        var written = _closeWritten!.Task;
        // Network grace periods use real time: they bound how long a dead peer can hold a socket.
        await Task.WhenAny(written, Task.Delay(CloseGrace));
        await Task.Delay(CloseGrace); // the peer's time to read our close frame and hang up (DiscardInputAsync)
        Abort(reason);
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

}
