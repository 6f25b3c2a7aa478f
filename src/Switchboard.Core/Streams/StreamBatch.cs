namespace Switchboard.Core.Streams;

/// <summary>
/// The state one stream commit works on: the rows it locked, as each write leaves them, the producers and chunks it
/// read, and what it will persist. Writes in one commit see each other's effects in order, as if committed one by one.
/// </summary>
internal sealed class StreamBatch(DateTimeOffset now)
{
    private readonly Dictionary<long, StreamRow> _rows = [];
    private readonly Dictionary<long, StreamRow> _loaded = [];
    private readonly Dictionary<string, long> _byPath = new(StringComparer.Ordinal);
    private readonly HashSet<long> _existing = [];
    private readonly HashSet<long> _dirty = [];
    private readonly Dictionary<ProducerKey, ProducerRow> _producers = [];
    private readonly HashSet<ProducerKey> _dirtyProducers = [];
    private readonly Dictionary<string, long> _owners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sessions = new(StringComparer.Ordinal);
    private readonly List<StreamChunk> _read = [];
    private readonly List<StreamChunk> _appended = [];
    private readonly Dictionary<long, StreamAdvance> _advances = [];

    public DateTimeOffset Now { get; } = now;

    /// <summary>Rows the store locked: as they were at the start of the commit.</summary>
    public void Load(IEnumerable<StreamRow> rows)
    {
        foreach (var row in rows)
        {
            _rows[row.Id] = row;
            _loaded[row.Id] = row;
            _existing.Add(row.Id);
            if (row.Path is { } path && row.State != StreamLifecycle.Reclaimable)
            {
                _byPath[path] = row.Id;
            }
        }
    }

    public void LoadProducers(IEnumerable<ProducerRow> producers)
    {
        foreach (var p in producers)
        {
            _producers[new ProducerKey(p.StreamId, p.ProducerId)] = p;
        }
    }

    public void LoadOwners(IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (owner, count) in counts)
        {
            _owners[owner] = count;
        }
    }

    /// <summary>Chunks read for fork sub-offsets.</summary>
    public void LoadChunks(IEnumerable<StreamChunk> chunks) => _read.AddRange(chunks);

    /// <summary>The rows locked that were due to expire, in the order the store returned them.</summary>
    public IEnumerable<StreamRow> Due(DateTimeOffset now) =>
        _rows.Values.Where(r => r.State == StreamLifecycle.Live && StreamExpiry.IsExpired(r, now)).OrderBy(r => r.DueAt).ToList();

    /// <summary>The live or soft-deleted stream at <paramref name="path"/>, as this commit has left it.</summary>
    public StreamRow? Find(string path) => _byPath.TryGetValue(path, out var id) ? _rows[id] : null;

    /// <summary>A row by id (every row a chain names is locked with it).</summary>
    public StreamRow Row(long id) => _rows[id];

    /// <summary>The stream and its sources, nearest first.</summary>
    public StreamChain Chain(StreamRow row)
    {
        var rows = new List<StreamRow> { row };
        while (rows[^1].ForkOf is { } source && _rows.TryGetValue(source, out var next) && rows.Count <= StreamChain.MaxDepth)
        {
            rows.Add(next);
        }

        return new StreamChain(rows);
    }

    /// <summary>Records the new version of an existing or new row.</summary>
    public StreamRow Put(StreamRow row)
    {
        if (_rows.TryGetValue(row.Id, out var before) && before.Path is { } oldPath && _byPath.TryGetValue(oldPath, out var holder) && holder == row.Id
            && (row.Path != oldPath || row.State == StreamLifecycle.Reclaimable))
        {
            _byPath.Remove(oldPath);
        }

        _rows[row.Id] = row;
        _dirty.Add(row.Id);
        if (row.Path is { } path && row.State != StreamLifecycle.Reclaimable)
        {
            _byPath[path] = row.Id;
        }

        return row;
    }

    public ProducerRow? Producer(ProducerKey key) => _producers.GetValueOrDefault(key);

    public void PutProducer(ProducerRow producer)
    {
        var key = new ProducerKey(producer.StreamId, producer.ProducerId);
        _producers[key] = producer;
        _dirtyProducers.Add(key);
    }

    /// <summary>Live streams <paramref name="owner"/> has, counting this commit's creates and deletes.</summary>
    public long Owned(string owner) => _owners.GetValueOrDefault(owner);

    public void CountOwner(string owner, int delta) => _owners[owner] = Owned(owner) + delta;

    public void LoadSessions(IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (session, count) in counts)
        {
            _sessions[session] = count;
        }
    }

    /// <summary>Live streams of session <paramref name="sessionId"/>, counting this commit's creates and deletes.</summary>
    public long OfSession(string sessionId) => _sessions.GetValueOrDefault(sessionId);

    public void CountSession(string sessionId, int delta) => _sessions[sessionId] = OfSession(sessionId) + delta;

    public void Append(StreamChunk chunk) => _appended.Add(chunk);

    /// <summary>Every chunk this commit knows of: read for sub-offsets, or appended by an earlier write of the commit.</summary>
    public IEnumerable<StreamChunk> KnownChunks => _read.Concat(_appended);

    public void Advanced(StreamRow row, bool ended = false) =>
        _advances[row.Id] = new StreamAdvance(row.Id, row.Tail, row.Closed, ended || row.State != StreamLifecycle.Live);

    /// <summary>What to persist: final versions only, existing rows apart from new ones.</summary>
    public StreamChanges Changes()
    {
        var changes = new StreamChanges();
        foreach (var id in _dirty)
        {
            if (_existing.Contains(id))
            {
                changes.Updated.Add((_loaded[id], _rows[id]));
            }
            else
            {
                changes.Inserted.Add(_rows[id]);
            }
        }

        changes.Chunks.AddRange(_appended);
        foreach (var key in _dirtyProducers)
        {
            // A producer of a stream deleted in this same commit would only be reclaimed again.
            if (_rows.TryGetValue(key.StreamId, out var row) && row.State != StreamLifecycle.Reclaimable)
            {
                changes.Producers.Add(_producers[key]);
            }
        }

        changes.Advances.AddRange(_advances.Values);
        return changes;
    }
}
