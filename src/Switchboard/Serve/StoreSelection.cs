using System.CommandLine;
using System.CommandLine.Parsing;
using Npgsql;
using Switchboard.Storage;
using Switchboard.Storage.Postgres;
using Switchboard.Storage.Sqlite;

namespace Switchboard.Cli.Serve;

/// <summary>
/// <c>--store</c> and <c>--connection-string</c> (or <c>SWITCHBOARD_STORE</c> and <c>SWITCHBOARD_CONNECTION_STRING</c>):
/// which store <c>serve</c> opens. Options win over environment variables; bad combinations stop start-up with a message.
/// </summary>
internal static class StoreSelection
{
    public const string StoreVariable = "SWITCHBOARD_STORE";
    public const string ConnectionStringVariable = "SWITCHBOARD_CONNECTION_STRING";

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

            if (Resolve(result.GetValue(Store), result.GetValue(ConnectionString), out _) is { } error)
            {
                result.AddError(error);
            }
        });
    }

    /// <summary>The factory for the chosen store, or null for the embedded SQLite default. Call after validation passed.</summary>
    public static Func<IServiceProvider, ISessionStore>? Factory(ParseResult result)
    {
        _ = Resolve(result.GetValue(Store), result.GetValue(ConnectionString), out var connectionString);
        if (connectionString is null)
        {
            return null;
        }

        var options = new PostgresStoreOptions(connectionString);
        return services => new PostgresSessionStore(
            options with { Usage = services.GetRequiredService<SwitchboardOptions>().Usage.ToStoreOptions() }, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>());
    }

    /// <summary>The PostgreSQL connection string chosen, or null for SQLite. Call after validation passed.</summary>
    public static string? PostgresConnectionString(ParseResult result)
    {
        _ = Resolve(result.GetValue(Store), result.GetValue(ConnectionString), out var connectionString);
        return connectionString;
    }

    /// <summary>The store in a few words for the start-up log, without credentials.</summary>
    public static string Describe(ISessionStore store, SwitchboardOptions options, string? connectionString)
    {
        if (store is SqliteSessionStore)
        {
            return $"sqlite ({SwitchboardDefaults.DatabaseFileName}, durability {options.SqliteDurability})";
        }

        if (store is PostgresSessionStore && connectionString is not null)
        {
            var cs = new NpgsqlConnectionStringBuilder(connectionString);
            return $"postgres (database {cs.Database ?? cs.Username} on {cs.Host}:{cs.Port})";
        }

        return store.GetType().Name;
    }

    /// <summary>Returns an error message, or null with the PostgreSQL connection string (null for SQLite).</summary>
    private static string? Resolve(string? storeOption, string? connectionOption, out string? connectionString)
    {
        connectionString = null;
        var (store, storeSource) = storeOption is not null ? (storeOption, "--store")
            : Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } fromEnv ? (fromEnv, StoreVariable)
            : ("sqlite", "the default");
        var (connection, connectionSource) = connectionOption is not null ? (connectionOption, "--connection-string")
            : Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } csEnv ? (csEnv, ConnectionStringVariable)
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
