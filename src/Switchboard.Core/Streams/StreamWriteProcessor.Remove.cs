namespace Switchboard.Core.Streams;

/// <summary>Deleting and expiring streams, with the fork reference counts that decide between soft and hard deletion.</summary>
internal sealed partial class StreamWriteProcessor
{
    private static StreamOutcome Delete(StreamBatch batch, DeleteStream delete)
    {
        var row = Current(batch, delete.Path);
        if (row is not { State: StreamLifecycle.Live })
        {
            return Missing(row, $"at '{delete.Path}'");
        }

        Remove(batch, row);
        return new StreamOutcome(StreamStatus.Deleted, batch.Row(row.Id));
    }

    private static StreamOutcome Sweep(StreamBatch batch)
    {
        var expired = 0;
        foreach (var row in batch.Due(batch.Now))
        {
            Remove(batch, row);
            expired++;
        }

        return new StreamOutcome(StreamStatus.Swept) { Expired = expired };
    }

    /// <summary>
    /// Deletes or expires <paramref name="row"/>: soft while forks still read its data (410, path blocked), otherwise for
    /// good (path freed, data left to the sweeper), which releases its own source in turn.
    /// </summary>
    private static void Remove(StreamBatch batch, StreamRow row)
    {
        batch.CountOwner(row.Owner, -1);
        if (row.SessionId is { } session)
        {
            batch.CountSession(session, -1);
        }

        if (row.Forks > 0)
        {
            batch.Advanced(batch.Put(row with { State = StreamLifecycle.Gone }), ended: true);
            return;
        }

        Release(batch, row);
    }

    /// <summary>Frees the path and drops the reference on the source; a soft-deleted source whose last fork this was goes too.</summary>
    private static void Release(StreamBatch batch, StreamRow row)
    {
        while (true)
        {
            batch.Advanced(batch.Put(row with { State = StreamLifecycle.Reclaimable, Path = null }), ended: true);
            if (row.ForkOf is not { } sourceId)
            {
                return;
            }

            var source = batch.Row(sourceId);
            source = batch.Put(source with { Forks = Math.Max(0, source.Forks - 1) });
            if (source.Forks > 0 || source.State != StreamLifecycle.Gone)
            {
                return;
            }

            row = source;
        }
    }
}
