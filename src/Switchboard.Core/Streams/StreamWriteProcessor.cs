namespace Switchboard.Core.Streams;

/// <summary>
/// The one unit of work of durable streams, for every store: in one transaction it locks the streams the writes name
/// (with their fork sources), reads the producers and counts they need, applies the writes in order
/// (<see cref="StreamBatch"/>), and persists the result in one round trip. Every rule of the protocol that depends on
/// stored state is here; the store only runs the primitives of <see cref="IDurableStreamWriter"/>.
/// </summary>
internal sealed partial class StreamWriteProcessor
{
    /// <summary>Commits <paramref name="writes"/> together; one outcome per write, in order.</summary>
    public Task<StreamOutcome[]> CommitAsync(IStreamStore store, IReadOnlyList<StreamWrite> writes, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteStreamsAsync((writer, ct) => RunAsync(writer, writes, now, ct), cancellationToken);

    private static async Task<StreamOutcome[]> RunAsync(IDurableStreamWriter writer, IReadOnlyList<StreamWrite> writes, DateTimeOffset now, CancellationToken ct)
    {
        var batch = await LoadAsync(writer, writes, now, ct);
        var outcomes = new StreamOutcome[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            outcomes[i] = Apply(batch, writes[i]);
        }

        await PersistAsync(writer, batch, ct);
        return outcomes;
    }

    /// <summary>
    /// Locks the streams <paramref name="writes"/> name (with their sources) in <paramref name="writer"/>'s transaction
    /// and reads what applying them needs: the batch they are then applied to, one by one and in order (<see cref="Apply"/>).
    /// A session write transaction does the same for the writes that change a session's streams (<c>UnitOfWork</c>).
    /// </summary>
    public static async Task<StreamBatch> LoadAsync(IDurableStreamWriter writer, IReadOnlyList<StreamWrite> writes, DateTimeOffset now, CancellationToken ct)
    {
        var batch = new StreamBatch(now);
        var sweep = writes.OfType<ExpireStreams>().Select(e => e.Limit).DefaultIfEmpty(0).Max();
        batch.Load(await writer.LockAsync(PathsOf(writes), sweep > 0 ? new DueStreams(now, sweep) : null, ct));

        var producers = writes.OfType<AppendStream>()
            .Where(a => a.Producer is not null && batch.Find(a.Path) is not null)
            .Select(a => new ProducerKey(batch.Find(a.Path)!.Id, a.Producer!.Value.ProducerId))
            .ToHashSet();
        if (producers.Count > 0)
        {
            batch.LoadProducers(await writer.ReadProducersAsync(producers, ct));
        }

        var owners = writes.OfType<CreateStream>().Select(c => c.Owner).ToHashSet(StringComparer.Ordinal);
        if (owners.Count > 0)
        {
            batch.LoadOwners(await writer.CountLiveAsync(owners, ct));
        }

        var sessions = writes.OfType<CreateStream>().Where(c => c.SessionId is not null).Select(c => c.SessionId!).ToHashSet(StringComparer.Ordinal);
        if (sessions.Count > 0)
        {
            batch.LoadSessions(await writer.CountSessionStreamsAsync(sessions, ct));
        }

        foreach (var fork in writes.OfType<CreateStream>().Where(c => c.ForkFrom is not null && c.ForkSubOffset > 0))
        {
            if (SubOffsetRange(batch, fork) is { } ranges)
            {
                batch.LoadChunks(await writer.ReadChunksAsync(ranges, 1, ct));
            }
        }

        return batch;
    }

    /// <summary>Applies one write of those the batch was loaded for, in memory: it sees the writes applied before it.</summary>
    public static StreamOutcome Apply(StreamBatch batch, StreamWrite write) => write switch
    {
        CreateStream c => Create(batch, c),
        AppendStream a => Append(batch, a),
        DeleteStream d => Delete(batch, d),
        ExpireStreams => Sweep(batch),
        _ => throw new ArgumentException($"Unknown stream write {write.GetType().Name}.", nameof(write)),
    };

    /// <summary>Persists what the applied writes changed, in one round trip; nothing when they changed nothing.</summary>
    public static async Task PersistAsync(IDurableStreamWriter writer, StreamBatch batch, CancellationToken ct)
    {
        var changes = batch.Changes();
        if (!changes.IsEmpty)
        {
            await writer.PersistAsync(changes, ct);
        }
    }

    private static HashSet<string> PathsOf(IReadOnlyList<StreamWrite> writes)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            switch (write)
            {
                case CreateStream c:
                    paths.Add(c.Path);
                    if (c.ForkFrom is { } source)
                    {
                        paths.Add(source);
                    }

                    break;
                case AppendStream a:
                    paths.Add(a.Path);
                    break;
                case DeleteStream d:
                    paths.Add(d.Path);
                    break;
            }
        }

        return paths;
    }

    /// <summary>
    /// The stream at <paramref name="path"/> as a request finds it: null when there is none or it expired with no fork
    /// reading it (the expiry is applied now, freeing the path), otherwise the row, soft-deleted if it expired with forks.
    /// </summary>
    private static StreamRow? Current(StreamBatch batch, string path)
    {
        var row = batch.Find(path);
        if (row is { State: StreamLifecycle.Live } && StreamExpiry.IsExpired(row, batch.Now))
        {
            Remove(batch, row);
            row = batch.Find(path);
        }

        return row;
    }

    private static StreamOutcome Missing(StreamRow? row, string what) => row is null
        ? new StreamOutcome(StreamStatus.NotFound, Detail: $"No stream {what}.")
        : new StreamOutcome(StreamStatus.Gone, row, $"The stream {what} was deleted; forks of it keep reading its data, but it takes no requests of its own.");
}
