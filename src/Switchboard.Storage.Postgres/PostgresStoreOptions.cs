using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Core.Hosting;

namespace Switchboard.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store (<c>UsePostgres(connectionString, o => …)</c>).</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Creates settings with no connection string yet; <c>UsePostgres</c> sets it.</summary>
    public PostgresStoreOptions()
    {
        ConnectionString = "";
    }

    /// <summary>Creates settings for the database named by an Npgsql connection string.</summary>
    public PostgresStoreOptions(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ConnectionString = connectionString;
    }

    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=switchboard;Username=switchboard;Password=…</c>.</summary>
    public string ConnectionString { get; set; }

    /// <summary>
    /// How often the feed reads the table even without a notification: a safety net under LISTEN/NOTIFY
    /// that also notices a silently dead listening connection. Default 2 s.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = SwitchboardDefaults.PostgresPollInterval;

    /// <summary>First delay before reconnecting the listening connection; doubles up to <see cref="MaxReconnectDelay"/>. Default 100 ms.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = SwitchboardDefaults.PostgresMinReconnectDelay;

    /// <summary>Longest delay between reconnection attempts. Default 5 s.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = SwitchboardDefaults.PostgresMaxReconnectDelay;

    /// <summary>
    /// A write transaction holds the log's write lock; if its node hangs between statements for this long, PostgreSQL
    /// ends the transaction so the other nodes can go on writing. Default 15 s.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; set; } = SwitchboardDefaults.PostgresIdleInTransactionTimeout;

    /// <summary>
    /// How long a node's presence viewers stay visible on the other nodes after it last renewed its liveness: the bound
    /// on how long a node that died (<c>kill -9</c>) still shows its viewers elsewhere. Default 10 s.
    /// </summary>
    public TimeSpan PresenceLiveness { get; set; } = SwitchboardDefaults.PostgresPresenceLiveness;

    /// <summary>How often a node renews its presence liveness. Default 2 s.</summary>
    public TimeSpan PresenceRenewInterval { get; set; } = SwitchboardDefaults.PostgresPresenceRenewInterval;

    /// <summary>Usage rollups: the labels they are split by and how long they are kept. Every node must use the same.</summary>
    internal Switchboard.Core.UsageRollups.UsageOptions Usage { get; set; } = Switchboard.Core.UsageRollups.UsageOptions.Default;

    /// <summary>Durable streams' settings the write transaction applies (how long a session's streams outlive it).</summary>
    internal Switchboard.Core.Streams.StreamPolicy Streams { get; set; } = Switchboard.Core.Streams.StreamPolicy.Default;

    /// <summary>Test hook: runs inside every write transaction after its rows are written and before COMMIT.</summary>
    internal Func<CancellationToken, Task>? BeforeCommit { get; init; }
}

/// <summary>Refuses <see cref="PostgresStoreOptions"/> the store cannot work with, one line per setting, at start.</summary>
internal sealed class PostgresStoreOptionsValidator : IValidateOptions<PostgresStoreOptions>
{
    private const string Section = "Switchboard:Postgres";

    public ValidateOptionsResult Validate(string? name, PostgresStoreOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            problems.Add($"{Section}:ConnectionString is empty: give one such as \"Host=db;Database=switchboard;Username=switchboard;Password=...\".");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The string may hold a password: the line names the bad keyword, never the value.
                problems.Add($"{Section}:ConnectionString is not a valid connection string: {ex.Message}");
            }
        }

        Positive(problems, nameof(options.PollInterval), options.PollInterval);
        Positive(problems, nameof(options.MinReconnectDelay), options.MinReconnectDelay);
        Positive(problems, nameof(options.IdleInTransactionTimeout), options.IdleInTransactionTimeout);
        Positive(problems, nameof(options.PresenceRenewInterval), options.PresenceRenewInterval);
        if (options.MaxReconnectDelay < options.MinReconnectDelay)
        {
            problems.Add($"{Section}:MaxReconnectDelay = {options.MaxReconnectDelay} is not allowed: it must be at least MinReconnectDelay ({options.MinReconnectDelay}).");
        }

        if (options.PresenceLiveness <= options.PresenceRenewInterval)
        {
            problems.Add($"{Section}:PresenceLiveness = {options.PresenceLiveness} is not allowed: it must be longer than PresenceRenewInterval ({options.PresenceRenewInterval}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:{key} = {value} is not allowed: it must be a positive duration such as 00:00:02.");
        }
    }
}
