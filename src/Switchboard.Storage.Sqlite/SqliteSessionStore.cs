using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Core.Hosting;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;
using Switchboard.Core.Storage.Sql.Migrations;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// The embedded store. One writer connection, used under a lock, assigns <c>seq</c> and commits each batch of writes with
/// their events in one IMMEDIATE transaction (<see cref="SqliteWriteTransaction"/>); reads use the connections of a
/// <see cref="ReaderPool"/>, which WAL lets run beside the writer. What it reads and writes is <see cref="SqlStore"/>'s,
/// in <see cref="SqliteDialect"/>.
/// </summary>
internal sealed partial class SqliteSessionStore : SqlStore
{
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BackgroundLoops? _loops;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly LocalEventFeed _feed = new();
    private readonly SessionRowCache _rows = new();
    private readonly SqliteSpanWaits _waits = new();
    private readonly SqliteSpanOwners _spanOwners = new();
    private readonly ReaderPool _readers;
    private SqliteConnection? _writer;
    private WriterStatements? _commands;
    private DataDirectoryLock? _directoryLock;
    private WalCheckpointer? _checkpointer;

    // Owned by the writer, changed only after a commit succeeds.
    private long _headSeq;
    private long _activeCount;
    private bool _fleetPaused;

    /// <summary>Creates a store on the database file in <paramref name="options"/>; call <see cref="InitializeAsync"/> next.</summary>
    /// <param name="loops">The node's loop registry, which lists the WAL checkpoint loop; none outside a server.</param>
    public SqliteSessionStore(SqliteStoreOptions options, TimeProvider time, ILoggerFactory? loggerFactory = null, BackgroundLoops? loops = null)
        : base(SqliteDialect.Instance, options.Usage, options.Streams)
    {
        _options = options;
        _time = time;
        _loops = loops;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteSessionStore>();
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false, // the readers' pool is ReaderPool; the writer is one connection for the store's life
            DefaultTimeout = 30,
        }.ToString();
        _readers = new ReaderPool(_connectionString);
    }

    /// <inheritdoc />
    public override IEventFeed Feed => _feed;

    /// <summary>The epoch of this database's log.</summary>
    public string Epoch { get; private set; } = "";

    /// <summary>The lock on the database's directory, held from <see cref="InitializeAsync"/> until disposal.</summary>
    public DataDirectoryLock? DirectoryLock => _directoryLock;

    /// <summary>What checkpoints the WAL, from <see cref="InitializeAsync"/> until disposal.</summary>
    internal WalCheckpointer? Checkpointer => _checkpointer;

    /// <inheritdoc />
    /// <exception cref="DataDirectoryInUseException">Another store, in this process or another, owns the database's directory.</exception>
    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // One owner per directory, taken before SQLite is even opened: a second writer would reuse seqs.
        _directoryLock = DataDirectoryLock.Acquire(Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath))!);
        try
        {
            try
            {
                await OpenWriterAsync(cancellationToken);
                _readers.Open();
            }
            catch (SqliteException ex) when (SqliteFailure.IsDiskFull(ex, DataDirectory))
            {
                throw SqliteFailure.CannotOpen(ex, DataDirectory);
            }
        }
        catch
        {
            _readers.CloseIdle();
            _commands?.Dispose();
            _commands = null;
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }

            if (_checkpointer is not null)
            {
                await _checkpointer.DisposeAsync();
                _checkpointer = null;
            }

            _directoryLock.Dispose();
            _directoryLock = null;
            throw;
        }
    }

    private async Task OpenWriterAsync(CancellationToken cancellationToken)
    {
        _writer = new SqliteConnection(_connectionString);
        await _writer.OpenAsync(cancellationToken);
        PersistentWal.Enable(_writer);
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        var synchronous = _options.Durability == SqliteDurability.Full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
        Execute(_writer, synchronous);
        var migrator = new SchemaMigrator(Sql, SqliteMigrations.All);
        if (await migrator.MigrateAsync(_writer, Now(), cancellationToken) is { Count: > 0 } applied)
        {
            SqliteLog.Migrated(_logger, _options.DatabasePath, migrator.Latest, string.Join(", ", applied.Select(m => $"{m.Version} {m.Name}")));
        }

        // Rollup costs are exact decimals kept as text: a batch adds to them in SQL (SqliteWriteTransaction).
        _writer.CreateFunction("decimal_add", (string a, string b) => Decimals.Normalize(
            decimal.Parse(a, System.Globalization.CultureInfo.InvariantCulture) + decimal.Parse(b, System.Globalization.CultureInfo.InvariantCulture))
            .ToString(System.Globalization.CultureInfo.InvariantCulture), isDeterministic: true);
        Epoch = EnsureEpoch(_writer);
        LoadHead(_writer);
        await RebuildActiveCountsOrDeferAsync(_writer);
        _commands = new WriterStatements(_writer);
        _waits.Load(_writer);
        _spanOwners.Load(_writer, Now() - TelemetryDedupe.Window);
        _checkpointer = WalCheckpointer.Start(_writer, _connectionString, synchronous, _time, _loops,
            failure => SqliteLog.CheckpointFailed(_logger, failure.Failures, failure.RestartIn, failure.Error));
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            _commands?.Dispose();
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
            }

            _writer = null;
        }
        finally
        {
            _writeLock.Release();
        }

        if (_checkpointer is not null)
        {
            await _checkpointer.DisposeAsync(); // after the writer: its WAL hook points at the checkpointer until it closes
            _checkpointer = null;
        }

        _readers.Dispose();
        _directoryLock?.Dispose();
        _directoryLock = null;
    }

    /// <inheritdoc />
    protected override async Task<T> ReadAsync<T>(string what, bool snapshot, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken)
    {
        using var lease = _readers.Rent();
        using var transaction = snapshot ? lease.Connection.BeginTransaction(deferred: true) : null;
        var result = await body(new SqlConnectionScope(lease.Connection, transaction, Sql));
        transaction?.Commit();
        return result;
    }

    /// <summary>
    /// On the writer connection, under the write lock (webhook workers commit a cursor per delivery). A second connection
    /// would not need the lock, but each of its commits would throw away the writer's page cache. Like every commit on the
    /// writer, these leave the WAL's checkpoint to <see cref="WalCheckpointer"/>.
    /// </summary>
    protected override Task<T> WriteOutsideLogAsync<T>(string what, Func<SqlConnectionScope, Task<T>> body, CancellationToken cancellationToken) =>
        OnWriterAsync((writer, _) => body(new SqlConnectionScope(writer, null, Sql)),
            ex => SqliteFailure.Unavailable(what, ex, DataDirectory), cancellationToken);

    /// <inheritdoc />
    protected override async Task<string> ReadEpochAsync(SqlConnectionScope db) =>
        await db.FirstAsync("SELECT value FROM meta WHERE key = 'epoch';", r => r.GetString(0)) ?? Epoch;

    private static string EnsureEpoch(SqliteConnection connection)
    {
        if (ReadMeta(connection, "epoch") is { } existing)
        {
            return existing;
        }

        var epoch = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO meta(key, value) VALUES ('epoch', $v);";
        command.Parameters.AddWithValue("$v", epoch);
        command.ExecuteNonQuery();
        return epoch;
    }

    /// <summary>
    /// The writer's view of the log head: the log row, as every store reads it. Where the events' counter moved past the
    /// row (another process wrote to the file), the sessions are counted again; the next commit writes the row.
    /// </summary>
    private void LoadHead(SqliteConnection connection)
    {
        var sequence = ScalarLong(connection, Sql.HeadSql) ?? 0;
        using var command = connection.CreateCommand();
        command.CommandText = Sql.Statements.ReadLog;
        using (var reader = command.ExecuteReader())
        {
            (_headSeq, _activeCount, _fleetPaused) = reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2) != 0) : (0, 0, false);
        }

        if (_headSeq != sequence)
        {
            _headSeq = sequence;
            _activeCount = ScalarLong(connection, WriterStatements.CountActive) ?? 0;
        }
    }

    private static string? ReadMeta(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $k;";
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar() as string;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long? ScalarLong(SqliteConnection connection, string sql) => Scalar(connection, sql) is long value ? value : null;

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <inheritdoc />
    protected override DateTimeOffset Now() => WireTime.Now(_time);
}
