using System.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// The multi-node store. Several Switchboard nodes share one database: each write batch is one transaction that first
/// locks the single log row, so <c>seq</c> is assigned and committed in one global order; <c>NOTIFY</c> then tells
/// every node (this one included) to read the new rows, and the rows are the truth. See docs/postgres.md. What it reads
/// and writes is <see cref="SqlStore"/>'s, in <see cref="PostgresDialect"/>.
/// </summary>
internal sealed partial class PostgresSessionStore : SqlStore, IStoreHealth
{
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresEventFeed _feed;
    private readonly PostgresPresenceExchange _presence;
    private readonly BackgroundLoops? _loops;
    private int _disposed;

    /// <summary>Creates a store on the database in <paramref name="options"/>; call <see cref="InitializeAsync"/> next.</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed.</exception>
    /// <param name="loops">The node's supervised loops, which the listeners join (null: they report to nobody, as in a store's own tests).</param>
    public PostgresSessionStore(PostgresStoreOptions options, TimeProvider time, ILoggerFactory? loggerFactory = null, BackgroundLoops? loops = null)
        : base(PostgresDialect.Instance, options.Usage, options.Streams)
    {
        _options = options;
        _loops = loops;
        _time = time;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<PostgresSessionStore>();
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (!new System.Data.Common.DbConnectionStringBuilder { ConnectionString = options.ConnectionString }.ContainsKey("Max Auto Prepare"))
        {
            // The write path sends the same few statements for every row; unprepared, PostgreSQL parsed and planned each
            // one again (more of its CPU than running them). A connection string that sets it (0 behind a pooler without
            // prepared-statement support) keeps its own.
            connection.MaxAutoPrepare = SwitchboardDefaults.PostgresMaxAutoPrepare;
        }

        // Npgsql is not given the logger factory: it logs every command at Information. The store logs what matters.
        _dataSource = NpgsqlDataSource.Create(connection);
        _feed = new PostgresEventFeed(Listener(connection, "listener"), options, loggers.CreateLogger<PostgresEventFeed>(), loops);
        _presence = new PostgresPresenceExchange(_dataSource, options);
    }

    /// <summary>A listening connection's settings: named after the application (so an operator can tell it apart), <paramref name="role"/> appended.</summary>
    private static NpgsqlConnectionStringBuilder Listener(NpgsqlConnectionStringBuilder connection, string role) =>
        new(connection.ConnectionString)
        {
            ApplicationName = (string.IsNullOrEmpty(connection.ApplicationName) ? "switchboard" : connection.ApplicationName) + " " + role,
        };

    /// <inheritdoc />
    public override IEventFeed Feed => _feed;

    /// <inheritdoc />
    public override IPresenceExchange Presence => _presence;

    /// <summary>The nodes renewed within the presence liveness (<c>switchboard_nodes</c>, on the database's clock).</summary>
    protected override string LiveNodes =>
        $"SELECT node_id FROM switchboard_nodes WHERE renewed_at >= now() - make_interval(secs => {_options.PresenceLiveness.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>The epoch of this database's log, known after <see cref="InitializeAsync"/>.</summary>
    public string Epoch { get; private set; } = "";

    /// <summary>True while the feed holds its LISTEN connection; false while it reconnects.</summary>
    public bool IsListening => _feed.IsConnected;

    /// <inheritdoc />
    /// <remarks>The LISTEN connection doubles as the probe: it is lost within a poll interval when the database goes away.</remarks>
    public string? NotReadyReason => _feed.IsStarted && !_feed.IsConnected ? "database unreachable: reconnecting to PostgreSQL" : null;

    /// <inheritdoc />
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var (epoch, head) = await RunAsync("create the schema", async (connection, ct) =>
        {
            await MigrateAsync(connection, ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var command = new NpgsqlCommand(PostgresSchema.CreateLogRow, connection, transaction))
            {
                var fresh = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
                command.Parameters.Add(new NpgsqlParameter<string>("epoch", fresh));
                await command.ExecuteNonQueryAsync(ct);
            }

            (string, long) result;
            await using (var command = new NpgsqlCommand("SELECT epoch, head_seq FROM switchboard_log WHERE id = 1;", connection, transaction))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                result = (reader.GetString(0), reader.GetInt64(1));
            }

            await transaction.CommitAsync(ct);
            return result;
        }, cancellationToken);

        await RunAsync("count active sessions per label", RebuildActiveCountsAsync, cancellationToken);
        Epoch = epoch;
        PostgresLog.Initialized(_logger, epoch, head);
    }

    /// <summary>
    /// Migrates the schema under a session-level advisory lock, so nodes that start together migrate one after the other
    /// (the later ones find nothing left to do); the lock is the connection's, so a node that dies mid-way releases it.
    /// </summary>
    private async Task MigrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key);", connection))
        {
            command.Parameters.Add(new NpgsqlParameter<long>("key", PostgresSchema.MigrateLockKey));
            await command.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var migrator = new SchemaMigrator(Sql, PostgresMigrations.All);
            if (await migrator.MigrateAsync(connection, Now(), ct) is { Count: > 0 } applied)
            {
                PostgresLog.Migrated(_logger, migrator.Latest, string.Join(", ", applied.Select(m => $"{m.Version} {m.Name}")));
            }
        }
        finally
        {
            if (connection.State == ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key);", connection);
                unlock.Parameters.Add(new NpgsqlParameter<long>("key", PostgresSchema.MigrateLockKey));
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        // The host disposes the store when it stops, and the container may dispose it again.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _feed.DisposeAsync();
        if (_streamFeed is not null)
        {
            await _streamFeed.DisposeAsync();
        }

        await _dataSource.DisposeAsync();
    }

    /// <summary>Runs <paramref name="body"/> on a pooled connection, as <see cref="TransactAsync{T}"/> does; only for work that commits nothing or may be done twice.</summary>
    private Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, CancellationToken, Task<T>> body, CancellationToken cancellationToken) =>
        TransactAsync(new PostgresWork(what), (connection, _, ct) => body(connection, ct), cancellationToken);

    /// <inheritdoc />
    /// <remarks>A snapshot is one REPEATABLE READ transaction: because writers commit in seq order, every event up to the head it reads is in it.</remarks>
    protected override Task<T> ReadAsync<T>(string what, bool snapshot, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(what, async (connection, ct) =>
        {
            if (!snapshot)
            {
                return await body(new SqlConnectionScope(connection, null, Sql));
            }

            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var result = await body(new SqlConnectionScope(connection, transaction, Sql));
            await transaction.CommitAsync(ct);
            return result;
        }, cancellationToken);

    /// <inheritdoc />
    protected override Task<T> WriteOutsideLogAsync<T>(string what, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken) =>
        RunAsync(what, (connection, _) => body(new SqlConnectionScope(connection, null, Sql)), cancellationToken);

    /// <inheritdoc />
    protected override async Task<string> ReadEpochAsync(SqlConnectionScope db) =>
        (await db.FirstAsync("SELECT epoch FROM switchboard_log WHERE id = 1;", r => r.GetString(0)))!;

    /// <inheritdoc />
    protected override DateTimeOffset Now() => WireTime.Now(_time);

    /// <summary>The active counts recounted (<see cref="SqlStore.RebuildActiveCountsAsync(SqlConnectionScope)"/>) under the log row's lock, so no write runs meanwhile.</summary>
    private async Task<bool> RebuildActiveCountsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var db = new SqlConnectionScope(connection, transaction, Sql);
        await db.ExecuteAsync("SELECT 1 FROM switchboard_log WHERE id = 1 FOR UPDATE;");
        await RebuildActiveCountsAsync(db);
        await transaction.CommitAsync(ct);
        return true;
    }
}
