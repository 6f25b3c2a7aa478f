using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Streams;

namespace Switchboard.Server.Ingest;

/// <summary>
/// Durable-stream writes ride the same queue and loop as session writes: they wait for admission with them, and all the
/// stream writes a pass takes commit together in one stream transaction (<see cref="StreamWriteProcessor"/>), cut into
/// transactions of at most <see cref="MaxStreamBytesPerCommit"/> so one commit never holds an unbounded amount of data.
/// They append no session events, so nothing waits for the fan-out after their commit.
/// </summary>
internal sealed partial class GroupCommit
{
    private const long MaxStreamBytesPerCommit = 16 * 1024 * 1024;

    private readonly StreamWriteProcessor _streams = new();

    /// <summary>Queues stream writes for the next commit; completes with one outcome each once they are durable (or refused).</summary>
    public Task<StreamOutcome[]> SubmitStreamsAsync(IReadOnlyList<StreamWrite> writes, CancellationToken cancellationToken)
    {
        var batch = new QueuedWrites(writes);
        return CommittedAsync(batch, batch.StreamCompletion.Task, cancellationToken);
    }

    /// <summary>Commits the stream batches of <paramref name="group"/> and takes them out of it.</summary>
    private async Task CommitStreamsAsync(List<QueuedWrites> group)
    {
        var taken = group.FindAll(b => b.Streams.Count > 0);
        if (taken.Count == 0)
        {
            return;
        }

        group.RemoveAll(b => b.Streams.Count > 0);
        var store = _store as IStreamStore ?? throw new InvalidOperationException($"The store {_store.GetType().Name} does not keep durable streams.");
        var start = 0;
        while (start < taken.Count)
        {
            var end = start;
            long bytes = 0;
            var count = 0;
            while (end < taken.Count && (end == start || (bytes < MaxStreamBytesPerCommit && count < MaxWritesPerCommit)))
            {
                bytes += taken[end].Streams.Sum(SizeOf);
                count += taken[end].Streams.Count;
                end++;
            }

            await CommitStreamsAsync(store, taken.GetRange(start, end - start));
            start = end;
        }
    }

    private async Task CommitStreamsAsync(IStreamStore store, List<QueuedWrites> batches)
    {
        var writes = batches.SelectMany(b => b.Streams).ToList();
        StreamOutcome[] outcomes;
        try
        {
            outcomes = await _streams.CommitAsync(store, writes, WireTime.Now(_time), CancellationToken.None);
        }
        catch (Exception ex)
        {
            var error = ex as StoreUnavailableException ?? new StoreUnavailableException($"The store failed: {ex.Message}", ex);
            OnCommitFailed(writes.Count, error);
            foreach (var batch in batches)
            {
                batch.Fail(error);
            }

            return;
        }

        // Only a commit that wrote proves the store can write again: the expiry sweep's, with nothing due, commits nothing,
        // and would otherwise turn /readyz green on a disk that is still full.
        if (_writeFailure is not null && outcomes.Any(o => o.Status is StreamStatus.Created or StreamStatus.Appended or StreamStatus.Deleted))
        {
            _writeFailure = null;
            IngestLog.CommitsRecovered(_logger);
        }

        var offset = 0;
        foreach (var batch in batches)
        {
            batch.StreamCompletion.TrySetResult(outcomes[offset..(offset + batch.Streams.Count)]);
            offset += batch.Streams.Count;
        }
    }

    private static long SizeOf(StreamWrite write) => write switch
    {
        CreateStream c => c.Body.Raw.Length,
        AppendStream a => a.Body.Raw.Length,
        _ => 0,
    };
}
