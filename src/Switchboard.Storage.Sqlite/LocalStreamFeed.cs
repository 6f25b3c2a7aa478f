using Switchboard.Core.Streams;

namespace Switchboard.Storage.Sqlite;

/// <summary>A single-node stream feed: the store hands each commit's advances to the sink right after the commit.</summary>
internal sealed class LocalStreamFeed : IStreamFeed
{
    private IStreamSink? _sink;

    public Task StartAsync(IStreamSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The stream feed was already started.");
        }

        return Task.CompletedTask;
    }

    /// <summary>Called by the store under its write lock, so calls never overlap.</summary>
    public void Publish(IReadOnlyList<StreamAdvance> advances) => Volatile.Read(ref _sink)?.OnAdvanced(advances);
}
