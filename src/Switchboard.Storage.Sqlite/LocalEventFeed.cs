using Switchboard.Core.Events;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Sqlite;

/// <summary>A single-node feed: the store hands its own commits to the sink, in order, right after each commit.</summary>
internal sealed class LocalEventFeed : IEventFeed
{
    private IEventSink? _sink;
    private long _afterSeq;

    public Task StartAsync(long afterSeq, IEventSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The event feed was already started.");
        }

        _afterSeq = afterSeq;
        return Task.CompletedTask;
    }

    /// <summary>The log moved under the store to <paramref name="head"/>: the sink must reload; commits continue after it.</summary>
    public void Reset(long head, string reason)
    {
        _afterSeq = head;
        _sink?.OnLogReset(reason);
    }

    /// <summary>Called by the store under its write lock, so calls never overlap.</summary>
    public void Publish(IReadOnlyList<EventRecord> committed)
    {
        if (_sink is null || committed.Count == 0)
        {
            return;
        }

        if (committed[0].Seq <= _afterSeq)
        {
            committed = committed.Where(e => e.Seq > _afterSeq).ToList();
        }

        _sink.OnCommitted(committed);
    }
}
