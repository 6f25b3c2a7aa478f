using System.IO.Pipelines;
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
/// input pipe and hands complete messages to the <see cref="PhoenixSocket"/>. Writing drains the queue when frames
/// arrive (WebSocketConnection.Writing.cs): every pending frame is copied into the output pipe and flushed once, so a
/// burst of events costs one socket write, and a write that completes synchronously allocates nothing.
/// </summary>
internal sealed partial class WebSocketConnection : ISendQueueConsumer, IThreadPoolWorkItem, IStreamConnection
{
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
