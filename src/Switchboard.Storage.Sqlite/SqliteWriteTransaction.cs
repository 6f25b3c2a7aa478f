using Microsoft.Data.Sqlite;
using Switchboard.Core.Alerts;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Trees;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// SQLite's primitives of a write (<see cref="IStoreTransaction"/>), on the store's one writer connection and its prepared
/// statements, inside one IMMEDIATE transaction opened under the store's write lock. SQLite runs in this process, so a
/// "round trip" is a call: the primitives run their prepared single-row statements in a loop, which costs less than
/// binding one statement of hundreds of parameters. The writer owns the database, so it may serve rows from its cache
/// (<see cref="SessionRowCache"/>), skip looking for waits on spans nobody waits for (<see cref="SqliteSpanWaits"/>) and
/// look span owners up in its own index (<see cref="SqliteSpanOwners"/>).
/// </summary>
internal sealed partial class SqliteWriteTransaction(SqliteTransaction transaction, WriterStatements commands, SessionRowCache rows,
    SqliteSpanWaits waits, SqliteSpanOwners spanOwners, LogHead head) : IStoreTransaction
{
    private readonly SqliteSpanWaits.Changes _waitChanges = new();
    private readonly SqliteSpanOwners.Changes _ownerChanges = new();
    private PersistPlan? _persisted;

    /// <summary>The session streams this transaction closed, for their live readers once committed.</summary>
    public IReadOnlyList<Switchboard.Core.Streams.StreamAdvance> EndedStreams { get; private set; } = [];

    public async ValueTask EndSessionStreamsAsync(IReadOnlyCollection<string> sessionIds, DateTimeOffset retainUntil) =>
        EndedStreams = await SqlStreams.EndSessionStreamsAsync(Session(keep: false), sessionIds, retainUntil);

    /// <summary>What this transaction committed; null before its commit.</summary>
    public PersistPlan? Committed { get; private set; }

    public ValueTask<LogHead> ReadHeadAsync() => ValueTask.FromResult(head);

    public ValueTask<IReadOnlyList<(string Id, string Path)>> ReadDescendantsAsync(string path, bool activeOnly, int limit)
    {
        var select = activeOnly ? commands.SelectActiveDescendants : commands.SelectDescendants;
        select.Parameters["@from"].Value = TreePath.DescendantsFrom(path);
        select.Parameters["@to"].Value = TreePath.SubtreeEnd(path);
        select.Parameters["@limit"].Value = limit;
        var found = new List<(string, string)>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            found.Add((reader.GetString(0), reader.GetString(1)));
        }

        return ValueTask.FromResult<IReadOnlyList<(string, string)>>(found);
    }

    public ValueTask<IReadOnlyDictionary<string, Session>> LockSessionsAsync(IReadOnlyCollection<string> ids)
    {
        var found = new Dictionary<string, Session>(ids.Count, StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (Row(id) is { } session)
            {
                found[id] = session;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<string, Session>>(found);
    }

    public ValueTask<IReadOnlyDictionary<AlertTarget, Alert?>> ReadAlertsAsync(IReadOnlyCollection<AlertTarget> targets) =>
        SqlTargets.ReadAlertsAsync(Session(keep: true), targets);

    public ValueTask<IReadOnlyList<Command>> ReadCommandsAsync(RequestTargets targets) => SqlTargets.ReadCommandsAsync(Session(keep: true), targets);

    public ValueTask<ApprovalRows> ReadApprovalsAsync(RequestTargets targets) => SqlTargets.ReadApprovalsAsync(Session(keep: true), targets);

    public ValueTask<IReadOnlyList<Approval>> ReadPendingApprovalsAsync(IReadOnlyCollection<string> sessionIds) =>
        SqlTargets.ReadPendingApprovalsAsync(Session(keep: true), sessionIds);

    /// <remarks>Its text varies with the number of rows, so it is not kept.</remarks>
    public ValueTask WriteTargetsAsync(WriteBatch batch) => SqlTargets.WriteAsync(Session(keep: false), batch);

    public ValueTask<IReadOnlyDictionary<(string Key, string Value), long>> ReadActiveCountsAsync(IReadOnlyCollection<(string Key, string Value)> pairs)
    {
        var found = new Dictionary<(string, string), long>();
        var select = commands.SelectActive;
        foreach (var pair in pairs)
        {
            select.Parameters["$k"].Value = pair.Key;
            select.Parameters["$v"].Value = pair.Value;
            if (select.ExecuteScalar() is long n)
            {
                found[pair] = n;
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<(string, string), long>>(found);
    }

    public ValueTask CommitAsync()
    {
        transaction.Commit();
        waits.Commit(_waitChanges);
        spanOwners.Commit(_ownerChanges);
        Committed = _persisted;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        transaction.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The transaction as a <see cref="SqlConnectionScope"/>; with <paramref name="keep"/>, its statements stay prepared from one commit to the next.</summary>
    private SqlConnectionScope Session(bool keep) => new(transaction.Connection!, transaction, SqliteDialect.Instance, keep ? commands.Kept : null);

    /// <summary>The committed row of <paramref name="id"/>: from the writer's cache, else selected (and then cached).</summary>
    private Session? Row(string id)
    {
        if (rows.TryGet(id, out var cached))
        {
            return cached;
        }

        commands.SelectSession.Parameters["$id"].Value = id;
        using var reader = commands.SelectSession.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var session = SqliteDialect.Instance.ReadSession(reader);
        rows.Remember(session);
        return session;
    }
}
