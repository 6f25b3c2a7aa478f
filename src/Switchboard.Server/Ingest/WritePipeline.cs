using System.Threading.Channels;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Ingest;

/// <summary>
/// Group commit: one loop takes every write waiting at that moment and commits them in a single store
/// transaction, so concurrent producers share one commit (and one fsync) instead of queueing for many.
/// Each submitted batch still succeeds or fails per write; the store guarantees a refused write leaves no trace.
/// </summary>
internal sealed class WritePipeline : IAsyncDisposable
{
    private const int MaxWritesPerCommit = 2000;

    private readonly ISessionStore _store;
    private readonly Channel<PendingBatch> _queue = Channel.CreateBounded<PendingBatch>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private Task? _loop;
    private long _appended;
    private long _lastCommittedSeq;

    public WritePipeline(ISessionStore store) => _store = store;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Events this pipeline's commits appended to the log (for metrics).</summary>
    public long Appended => Volatile.Read(ref _appended);

    /// <summary>The highest <c>seq</c> this pipeline's commits have appended (0 before the first).</summary>
    public long LastCommittedSeq => Volatile.Read(ref _lastCommittedSeq);

    /// <summary>Queues writes for the next commit; completes once they are durable (or refused).</summary>
    public async Task<IReadOnlyList<WriteResult>> SubmitAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        var batch = new PendingBatch(writes);
        try
        {
            await _queue.Writer.WriteAsync(batch, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new StoreUnavailableException("Switchboard is shutting down; retry against another node or after the restart.");
        }

        return await batch.Completion.Task;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var group = new List<PendingBatch>();
        var writes = new List<SessionWrite>();
        // Runs until the queue is completed and drained, so everything accepted before shutdown is committed.
        while (await reader.WaitToReadAsync())
        {
            group.Clear();
            writes.Clear();
            while (writes.Count < MaxWritesPerCommit && reader.TryRead(out var batch))
            {
                group.Add(batch);
                writes.AddRange(batch.Writes);
            }

            await CommitAsync(group, writes);
        }
    }

    private async Task CommitAsync(List<PendingBatch> group, List<SessionWrite> writes)
    {
        IReadOnlyList<WriteResult> results;
        try
        {
            results = await _store.WriteAsync(writes, CancellationToken.None);
        }
        catch (Exception ex)
        {
            var error = ex as StoreUnavailableException ?? new StoreUnavailableException($"The store failed: {ex.Message}", ex);
            foreach (var batch in group)
            {
                batch.Completion.TrySetException(error);
            }

            return;
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
                slice[i] = results[offset + i];
            }

            offset += slice.Length;
            batch.Completion.TrySetResult(slice);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }
    }

    private sealed class PendingBatch(IReadOnlyList<SessionWrite> writes)
    {
        public IReadOnlyList<SessionWrite> Writes { get; } = writes;

        public TaskCompletionSource<IReadOnlyList<WriteResult>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
