using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Options;

namespace Switchboard.Server.Ingest;

/// <summary>
/// Group commit: one loop takes every write waiting at that moment and commits them in a single store transaction, so
/// concurrent producers share one commit (and one fsync) instead of queueing for many. Each submitted batch still
/// succeeds or fails per write; the store guarantees a refused write leaves no trace. Telemetry about one session from
/// several requests in a commit is merged into one write (<see cref="TelemetryCoalescing"/>), so it appends one event.
/// <para>
/// Admission control: before each commit the loop waits until the live path has room (<see cref="IWriteThrottle"/>), so
/// when fan-out falls behind the producers slow down instead of the subscribers being cut off. A write that waits longer
/// than <see cref="SocketOptions.WriteWaitTimeout"/> without being taken is withdrawn and fails with
/// <see cref="OverloadedException"/>: nothing of it is written. A committed write is answered once the live path has
/// fanned out its events (<see cref="IWriteThrottle.WhenFannedOutAsync"/>, at most <see cref="SocketOptions.FanoutAnswerWait"/>
/// later), so that producers with requests in flight are paced by the fan-out itself. Telemetry (OTLP requests) is paced
/// before its commit instead: it waits for the previous commit's fan-out, and is answered once committed.
/// </para>
/// <para>
/// The loop is a critical <see cref="SupervisedLoop"/>: should it fail, the writes in hand are answered 503, the queue
/// stays open, <c>/readyz</c> says so, and the loop starts again after a backoff.
/// </para>
/// </summary>
internal sealed partial class GroupCommit : IAsyncDisposable
{
    private const int MaxWritesPerCommit = 2000;
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(2);

    private readonly ISessionStore _store;
    private readonly IWriteThrottle _throttle;
    private readonly SocketOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<QueuedWrites> _queue = Channel.CreateBounded<QueuedWrites>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly SupervisedLoop _loop;
    private Task? _probe;
    private long _appended;
    private long _lastCommittedSeq;
    private long _refused;
    private volatile string? _writeFailure;

    public GroupCommit(ISessionStore store, IWriteThrottle throttle, SocketOptions options, ILogger<GroupCommit> logger, TimeProvider? time = null,
        BackgroundLoops? loops = null)
    {
        _time = time ?? TimeProvider.System;
        _store = store;
        _throttle = throttle;
        _options = options;
        _logger = logger;
        _loop = new SupervisedLoop("write-pipeline", _ => RunAsync(), _time, new LoopPolicy { Critical = true }, loops);
    }

    public void Start()
    {
        _loop.Start();
        IngestLog.Started(_logger);
        if (_store.WriteFailureAtStart is { } failure)
        {
            // Opened unable to write (a full disk): refuse writes with the reason, and probe so it recovers by itself.
            _writeFailure = failure;
            IngestLog.StartedUnwritable(_logger, failure);
            _probe = ProbeUntilWritableAsync();
        }
    }

    /// <summary>Events this pipeline's commits appended to the log (for metrics).</summary>
    public long Appended => Volatile.Read(ref _appended);

    /// <summary>Writes refused with 503 because they were not admitted in time (for metrics).</summary>
    public long Refused => Volatile.Read(ref _refused);

    /// <summary>The highest <c>seq</c> this pipeline's commits have appended (0 before the first).</summary>
    public long LastCommittedSeq => Volatile.Read(ref _lastCommittedSeq);

    /// <summary>Why the store cannot commit right now; null while commits succeed. <c>/readyz</c> reports it.</summary>
    public string? WriteFailure => _writeFailure;

    /// <summary>
    /// Queues writes for the next commit; completes once they are durable (or refused) and fanned out, or
    /// <see cref="SocketOptions.FanoutAnswerWait"/> after the commit.
    /// </summary>
    public async Task<IReadOnlyList<WriteResult>> SubmitAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        var batch = new QueuedWrites(writes);
        var results = await CommittedAsync(batch, batch.Completion.Task, cancellationToken);
        // Telemetry is paced before its commit instead (HoldTelemetryAsync): answered at once, an exporter's next
        // request queues behind the fan-out with the other exporters', and they commit together.
        if (_options.FanoutAnswerWait > TimeSpan.Zero && !batch.IsTelemetry && LastSeq(results) is > 0 and var seq)
        {
            try
            {
                await _throttle.WhenFannedOutAsync(seq).WaitAsync(_options.FanoutAnswerWait, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Durable all the same: the wait only paces the producer, so a fan-out held up longer is not the write's failure.
            }
        }

        return results;
    }

    /// <summary>
    /// Queues <paramref name="batch"/> and waits for <paramref name="committed"/>, its completion: the batch is withdrawn
    /// (and fails with <see cref="OverloadedException"/>) if no commit takes it within <see cref="SocketOptions.WriteWaitTimeout"/>.
    /// </summary>
    private async Task<T> CommittedAsync<T>(QueuedWrites batch, Task<T> committed, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.WriteWaitTimeout);
        try
        {
            await _queue.Writer.WriteAsync(batch, deadline.Token);
        }
        catch (ChannelClosedException)
        {
            throw new StoreUnavailableException("Switchboard is shutting down; retry against another node or after the restart.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Overloaded(started);
        }

        // Still waiting when the deadline passes: withdrawn, unless the loop has taken it already (then it commits).
        using (deadline.Token.Register(static state =>
        {
            var (b, c, p, s) = ((QueuedWrites, CancellationToken, GroupCommit, long))state!;
            if (b.TryWithdraw())
            {
                b.Fail(c.IsCancellationRequested ? new OperationCanceledException(c) : p.Overloaded(s));
            }
        }, (batch, cancellationToken, this, started)))
        {
            return await committed;
        }
    }

    private static long LastSeq(IReadOnlyList<WriteResult> results)
    {
        long seq = 0;
        foreach (var r in results)
        {
            if (r.Event is { } e && e.Seq > seq)
            {
                seq = e.Seq;
            }
        }

        return seq;
    }

    private OverloadedException Overloaded(long started)
    {
        var refused = Interlocked.Increment(ref _refused);
        if (refused == 1 || refused % 1000 == 0)
        {
            IngestLog.Overloaded(_logger, refused, (long)_options.WriteWaitTimeout.TotalMilliseconds);
        }

        return new OverloadedException(_time.GetElapsedTime(started));
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var group = new List<QueuedWrites>();
        var writes = new List<SessionWrite>();
        var agents = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // Runs until the queue is completed and drained, so everything accepted before shutdown is committed.
            while (await reader.WaitToReadAsync())
            {
                await _throttle.WaitForRoomAsync(_stopping.Token);
                await HoldTelemetryAsync(reader);
                TakeGroup(reader, group, writes, agents);
                if (group.Count > 0)
                {
                    await CommitAsync(group, writes);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            FailRemaining(new StoreUnavailableException("Switchboard is shutting down; retry against another node or after the restart."));
        }
        catch (Exception ex)
        {
            // A bug: the writes in hand are answered, the queue stays open, and the supervisor starts the loop again.
            var error = new StoreUnavailableException("The write pipeline failed; retry against another node.", ex);
            foreach (var batch in group)
            {
                batch.Fail(error);
            }

            throw;
        }
    }

    private void FailRemaining(Exception error)
    {
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var batch))
        {
            if (batch.TryTake())
            {
                batch.Fail(error);
            }
        }
    }

    private async Task CommitAsync(List<QueuedWrites> group, List<SessionWrite> writes)
    {
        await CommitStreamsAsync(group);
        if (group.Count == 0)
        {
            return;
        }

        using var span = StartCommitSpan(group, writes.Count);
        // Telemetry about one agent from several requests commits as one write, so one event (TelemetryCoalescing).
        var slots = new int[writes.Count];
        var coalesced = TelemetryCoalescing.Coalesce(writes, slots);
        IReadOnlyList<WriteResult> results;
        try
        {
            try
            {
                results = await _store.WriteAsync(coalesced, CancellationToken.None);
            }
            catch (StoreRejectedException rejected)
            {
                // A value the database refuses fails its own write, not the commit's: the writes go again one at a time,
                // each request's telemetry apart from the others' it was merged with.
                span?.SetStatus(ActivityStatusCode.Error, rejected.Message);
                results = await CommitOneByOneAsync(writes, rejected);
                slots = [.. Enumerable.Range(0, writes.Count)];
            }
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            var error = ex as StoreUnavailableException ?? new StoreUnavailableException($"The store failed: {ex.Message}", ex);
            OnCommitFailed(writes.Count, error);
            foreach (var batch in group)
            {
                batch.Fail(error);
            }

            return;
        }

        if (_writeFailure is not null)
        {
            _writeFailure = null;
            IngestLog.CommitsRecovered(_logger);
        }

        var appended = 0;
        var last = 0L;
        foreach (var r in results)
        {
            if (r.Event is { } e)
            {
                appended++;
                last = Math.Max(last, e.Seq);
            }
        }

        Interlocked.Add(ref _appended, appended);
        if (span is not null)
        {
            span.SetTag("switchboard.commit.appended", appended);
            if (last > 0)
            {
                span.SetTag("switchboard.commit.last_seq", last);
            }
        }

        if (last > 0)
        {
            // Only this loop writes it, before any of these writes is answered.
            Volatile.Write(ref _lastCommittedSeq, last);
        }

        var offset = 0;
        foreach (var batch in group)
        {
            var slice = new WriteResult[batch.Writes.Count];
            for (var i = 0; i < slice.Length; i++)
            {
                slice[i] = results[slots[offset + i]];
            }

            offset += slice.Length;
            batch.Completion.TrySetResult(slice);
        }
    }

    /// <summary>
    /// The commit's span. One commit carries the writes of many requests: it continues the first write's trace (the usual
    /// case of one write per commit reads request → write → commit) and links to the others'.
    /// </summary>
    private static Activity? StartCommitSpan(List<QueuedWrites> group, int writes)
    {
        if (!SwitchboardTracing.Source.HasListeners())
        {
            return null;
        }

        var links = group.Count > 1
            ? group.Skip(1).Where(b => b.Context != default).Select(b => new ActivityLink(b.Context)).ToList()
            : null;
        // The loop has no context of its own; this span is current while the store commits (a store's own spans nest
        // under it), and stopping it leaves none.
        Activity.Current = null;
        var span = SwitchboardTracing.Source.StartActivity(SwitchboardTracing.Commit, ActivityKind.Internal, group[0].Context, links: links);
        span?.SetTag("switchboard.commit.writes", writes);
        span?.SetTag("switchboard.commit.requests", group.Count);
        return span;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Commit what was accepted; writes still waiting for admission after a grace period are refused instead.
        _stopping.CancelAfter(_options.WriteWaitTimeout);
        await _loop.StopAsync(); // the loop commits what the queue holds; one waiting to restart ends at once
        FailRemaining(new StoreUnavailableException("Switchboard is shutting down; retry against another node or after the restart."));
        await _stopping.CancelAsync();
        if (_probe is not null)
        {
            await _probe;
        }

        IngestLog.Stopped(_logger, Appended);
    }
}
