using Microsoft.Data.Sqlite;
using SQLitePCL;
using Switchboard.Core.Sessions;

namespace Switchboard.Storage.Sqlite;

/// <summary>
/// A prepared statement of the writer's hot path, bound by position straight through SQLite's C API. Microsoft.Data.Sqlite
/// binds every parameter by name on each execution (a linear search of the parameter collection, then
/// <c>sqlite3_bind_parameter_index</c>), which for the 17 columns of a session row was the largest cost above SQLite
/// itself. It runs on the writer connection's handle, so inside whatever transaction that connection has open; failures
/// surface as <see cref="SqliteException"/>, as from the rest of the store.
/// </summary>
internal sealed class WriterStatement : IDisposable, ISessionRowWriter
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly bool[]? _unbound;

    /// <param name="connection">The writer connection.</param>
    /// <param name="sql">The statement.</param>
    /// <param name="unbound">For a session row statement, the ordinals of the row's columns it leaves out (their binds are skipped).</param>
    /// <param name="order">
    /// For a statement of <c>@name</c> parameters (<see cref="Switchboard.Core.Storage.Sql.SqlStatements"/>), their names in the order the writer binds
    /// them, 1 first: SQLite numbers named parameters by first appearance, so this fails at once if the text changes order.
    /// </param>
    public WriterStatement(SqliteConnection connection, string sql, IEnumerable<int>? unbound = null, params string[] order)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, sql, out _statement));
        for (var i = 0; i < order.Length; i++)
        {
            if (raw.sqlite3_bind_parameter_index(_statement, order[i]) != i + 1)
            {
                throw new InvalidOperationException($"Parameter {order[i]} is not number {i + 1} of: {sql}");
            }
        }

        if (unbound?.ToArray() is { Length: > 0 } ordinals)
        {
            _unbound = new bool[ordinals.Max() + 1];
            foreach (var ordinal in ordinals)
            {
                _unbound[ordinal] = true;
            }
        }
    }

    /// <summary>Parameters are numbered from 1, in the order they appear in the SQL.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    public void Bind(int index, ReadOnlySpan<byte> blob) => Check(raw.sqlite3_bind_blob(_statement, index, blob));

    // A session row (SessionFields.WriteRow): ordinals from 0 bind to ?1, ?2, … by position; the column name is unused.
    void ISessionRowWriter.Text(int ordinal, string column, string? value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, value);
        }
    }

    void ISessionRowWriter.Int32(int ordinal, string column, int? value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, (long?)value);
        }
    }

    void ISessionRowWriter.Int64(int ordinal, string column, long value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, value);
        }
    }

    void ISessionRowWriter.Decimal(int ordinal, string column, decimal value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    void ISessionRowWriter.Time(int ordinal, string column, DateTimeOffset? value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, value?.ToUnixTimeMilliseconds());
        }
    }

    void ISessionRowWriter.Bool(int ordinal, string column, bool value)
    {
        if (Binds(ordinal))
        {
            Bind(ordinal + 1, value ? 1L : 0L);
        }
    }

    private bool Binds(int ordinal) => _unbound is null || ordinal >= _unbound.Length || !_unbound[ordinal];

    /// <summary>Runs the statement to completion and resets it for the next execution.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
            throw new InvalidOperationException($"SQLite returned {rc} for a statement that returns no rows.");
        }
    }

    /// <summary>Like <see cref="Execute"/>; returns the rows it inserted, updated or deleted (0 for an insert that did nothing).</summary>
    public int ExecuteChanges()
    {
        Execute();
        return raw.sqlite3_changes(_db);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
