using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Cli.Serve;

/// <summary>
/// Which store <c>serve</c> opens, named on the same builder an embedding app uses (<c>UseSqlite</c>, <c>UsePostgres</c>):
/// <c>--store</c> and <c>--connection-string</c>, else <c>SWITCHBOARD_STORE</c> and <c>SWITCHBOARD_CONNECTION_STRING</c>,
/// else <c>Switchboard:Store</c> and <c>Switchboard:Postgres:ConnectionString</c> in the configuration, else the embedded
/// SQLite store. Bad combinations stop start-up with a message.
/// </summary>
internal static class StoreSelection
{
    public const string StoreVariable = "SWITCHBOARD_STORE";
    public const string ConnectionStringVariable = "SWITCHBOARD_CONNECTION_STRING";
    public const string StoreKey = "Switchboard:Store";
    public const string ConnectionStringKey = "Switchboard:Postgres:ConnectionString";

    private static readonly Option<string> Store = new("--store")
    {
        Description = $"Where sessions and events are kept: sqlite (default, embedded, one node) or postgres (several nodes share one database). Or {StoreVariable}.",
    };

    private static readonly Option<string> ConnectionString = new("--connection-string")
    {
        Description = $"PostgreSQL connection string for --store postgres, e.g. \"Host=db;Database=switchboard;Username=switchboard;Password=...\". Or {ConnectionStringVariable}.",
    };

    public static void AddTo(Command command)
    {
        command.Options.Add(Store);
        command.Options.Add(ConnectionString);
        command.Validators.Add(result =>
        {
            // The root command serves too; when a subcommand runs instead, the store settings are not its business.
            if (result.Children.OfType<CommandResult>().Any())
            {
                return;
            }

            // Options and variables only: the configuration is read when serve runs (Use).
            if (Resolve(result.GetValue(Store), result.GetValue(ConnectionString), configuration: null, out _) is { } error)
            {
                result.AddError(error);
            }
        });
    }

    /// <summary>
    /// Names the chosen store on <paramref name="builder"/>: SQLite in <paramref name="dataDirectory"/> (with
    /// <c>Switchboard:Sqlite</c> and <paramref name="durability"/> on top), or PostgreSQL (with <c>Switchboard:Postgres</c>),
    /// whose node directory is then <paramref name="dataDirectory"/>. Returns an error line, or null with the PostgreSQL
    /// connection string (null for SQLite).
    /// </summary>
    public static string? Use(ISwitchboardBuilder builder, ParseResult result, IConfiguration configuration, string dataDirectory, SqliteDurability? durability, out string? connectionString)
    {
        if (Resolve(result.GetValue(Store), result.GetValue(ConnectionString), configuration, out connectionString) is { } error)
        {
            return error;
        }

        if (connectionString is { } cs)
        {
            builder.UsePostgres(cs, o =>
            {
                configuration.GetSection("Switchboard:Postgres").Bind(o);
                o.ConnectionString = cs;
            });
            builder.UseNodeDirectory(dataDirectory);
            return null;
        }

        builder.UseSqlite(o =>
        {
            configuration.GetSection("Switchboard:Sqlite").Bind(o);
            o.DataDirectory = dataDirectory;
            if (durability is { } d)
            {
                o.Durability = d;
            }
        });
        return null;
    }

    /// <summary>The store in a few words for the start-up log, without credentials.</summary>
    public static string Describe(IServiceProvider services, string? connectionString)
    {
        var store = services.GetRequiredService<ISessionStore>();
        if (store is SqliteSessionStore)
        {
            var sqlite = services.GetRequiredService<IOptions<SqliteOptions>>().Value;
            return $"sqlite ({SwitchboardDefaults.DatabaseFileName}, durability {sqlite.Durability})";
        }

        if (store is PostgresSessionStore && connectionString is not null)
        {
            var cs = new NpgsqlConnectionStringBuilder(connectionString);
            return $"postgres (database {cs.Database ?? cs.Username} on {cs.Host}:{cs.Port})";
        }

        return store.GetType().Name;
    }

    /// <summary>Returns an error message, or null with the PostgreSQL connection string (null for SQLite).</summary>
    private static string? Resolve(string? storeOption, string? connectionOption, IConfiguration? configuration, out string? connectionString)
    {
        connectionString = null;
        var (store, storeSource) = storeOption is not null ? (storeOption, "--store")
            : Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } fromEnv ? (fromEnv, StoreVariable)
            : configuration?[StoreKey] is { Length: > 0 } fromConfig ? (fromConfig, Settings.Origin(configuration, StoreKey))
            : ("sqlite", "the default");
        var (connection, connectionSource) = connectionOption is not null ? (connectionOption, "--connection-string")
            : Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } csEnv ? (csEnv, ConnectionStringVariable)
            : configuration?[ConnectionStringKey] is { Length: > 0 } csConfig ? (csConfig, Settings.Origin(configuration, ConnectionStringKey))
            : (null, null);

        switch (store.Trim().ToLowerInvariant())
        {
            case "sqlite":
                return connection is null ? null
                    : $"{connectionSource} is set, but the store is sqlite ({storeSource}). A connection string is only used with --store postgres; " +
                      "pass --store postgres, or remove the connection string to use the embedded SQLite store.";
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(connection))
                {
                    return $"The store is postgres ({storeSource}), but no connection string was given. Pass --connection-string " +
                           $"\"Host=...;Database=...;Username=...;Password=...\" or set {ConnectionStringVariable}.";
                }

                try
                {
                    _ = new NpgsqlConnectionStringBuilder(connection);
                }
                catch (ArgumentException ex)
                {
                    // The message names the bad keyword; the string itself may hold a password and is not echoed.
                    return $"The PostgreSQL connection string from {connectionSource} is not valid: {ex.Message}";
                }

                connectionString = connection;
                return null;
            default:
                return $"Unknown store '{store}' (from {storeSource}). Use sqlite (the embedded default) or postgres.";
        }
    }
}
