using Switchboard.Core.Streams;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>A submitter's durable-stream writes travel the same queue as session writes, so they share group commit and admission.</summary>
internal sealed partial class QueuedWrites
{
    /// <summary>A batch of stream writes (and no session writes).</summary>
    public QueuedWrites(IReadOnlyList<StreamWrite> streams)
        : this(Array.Empty<SessionWrite>())
    {
        Streams = streams;
    }

    /// <summary>The stream writes; empty for a batch of session writes.</summary>
    public IReadOnlyList<StreamWrite> Streams { get; } = [];

    /// <summary>Completed with one outcome per stream write once they are committed (or refused).</summary>
    public TaskCompletionSource<StreamOutcome[]> StreamCompletion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fails the batch, whichever kind of writes it carries.</summary>
    public void Fail(Exception error)
    {
        Completion.TrySetException(error);
        StreamCompletion.TrySetException(error);
    }
}
