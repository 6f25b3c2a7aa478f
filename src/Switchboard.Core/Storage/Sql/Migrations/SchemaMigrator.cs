using System.Data.Common;
using Switchboard.Core.Hosting;

namespace Switchboard.Core.Storage.Sql.Migrations;

/// <summary>
/// Brings a store's schema to its latest <see cref="Migration"/>. The versions applied are rows of
/// <c>schema_migrations</c>; each missing one runs in its own transaction, which also writes its row, so a migration is
/// either applied and recorded or neither. A database that records a version newer than the list's last was written
/// by a newer Switchboard and is refused before anything changes. The caller makes sure no other node migrates at the
/// same time (SQLite: its data directory's lock; PostgreSQL: an advisory lock).
/// </summary>
internal sealed class SchemaMigrator
{
    /// <summary>The table of applied versions, by its name in <see cref="SqlDialect.Table"/>.</summary>
    public const string Table = "schema_migrations";

    private static readonly CreateTable Record = new(Table,
        [new Column("version", SqlType.Int32), new Column("name", SqlType.Text), new Column("applied_at", SqlType.Time)],
        ["version"]);

    private readonly SqlDialect _sql;
    private readonly IReadOnlyList<Migration> _migrations;

    /// <param name="migrations">Numbered from 1 up, in order, without gaps: a version is never renumbered or reused.</param>
    public SchemaMigrator(SqlDialect sql, IReadOnlyList<Migration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new ArgumentException($"Migration '{migrations[i].Name}' is numbered {migrations[i].Version}; it must be {i + 1}.", nameof(migrations));
            }
        }

        (_sql, _migrations) = (sql, migrations);
    }

    /// <summary>The version a database has once migrated.</summary>
    public int Latest => _migrations.Count;

    /// <summary>Applies the migrations <paramref name="connection"/>'s database lacks, in order; returns those it applied.</summary>
    /// <exception cref="SwitchboardStartupException">The database records a version this list does not have.</exception>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(DbConnection connection, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await Record.ApplyAsync(new SqlConnectionScope(connection, null, _sql));
        var applied = (await new SqlConnectionScope(connection, null, _sql)
            .QueryAsync($"SELECT version FROM {_sql.Table(Table)};", r => r.GetInt32(0))).ToHashSet();
        if (applied.Count > 0 && applied.Max() is var newest && newest > Latest)
        {
            throw new SwitchboardStartupException(
                $"The database's schema is version {newest}, written by a newer Switchboard; this one knows versions up to {Latest}. " +
                "Run the newer Switchboard, or restore a backup taken before it ran.");
        }

        var ran = new List<Migration>();
        foreach (var migration in _migrations.Where(m => !applied.Contains(m.Version)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var db = new SqlConnectionScope(connection, transaction, _sql);
            foreach (var step in migration.Steps)
            {
                await step.ApplyAsync(db);
            }

            await db.ExecuteAsync($"INSERT INTO {_sql.Table(Table)} (version, name, applied_at) VALUES (@version, @name, @at);",
                ("@version", migration.Version), ("@name", migration.Name), ("@at", _sql.Time(now)));
            await transaction.CommitAsync(cancellationToken);
            ran.Add(migration);
        }

        return ran;
    }
}
