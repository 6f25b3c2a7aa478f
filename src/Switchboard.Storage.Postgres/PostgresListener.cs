using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// A feed on one connection that LISTENs on one channel, kept listening: its first LISTEN fails the start when the
/// database cannot be reached; afterwards it is a <see cref="SupervisedLoop"/> whose body is one connection's life, so
/// a lost connection is closed and the loop opens another after a backoff (doubling from
/// <see cref="PostgresStoreOptions.MinReconnectDelay"/> up to <see cref="PostgresStoreOptions.MaxReconnectDelay"/>, with
/// jitter), reported as restarting until it listens again. The event feed and the stream feed share this loop; each
/// says what it does on a connection.
/// </summary>
/// <param name="connection">Its own connection (unpooled here: a pool would reset it, and it lives for hours).</param>
/// <param name="name">The loop's name in <c>/readyz</c> and <c>/metrics</c>.</param>
/// <param name="critical">Whether the node is not ready while it reconnects.</param>
internal abstract class PostgresListener(NpgsqlConnectionStringBuilder connection, string channel, PostgresStoreOptions options, string name, bool critical,
    BackgroundLoops? loops) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false });
    private SupervisedLoop? _loop;
    private NpgsqlConnection? _connection; // the loop's; the first one is opened by the start
    private volatile bool _connected;
    private long _losses;

    /// <summary>The store's settings (the reconnect delays, the poll interval).</summary>
    protected PostgresStoreOptions Options { get; } = options;

    /// <summary>True once the first LISTEN succeeded.</summary>
    public bool IsStarted => _loop is not null;

    /// <summary>True while the connection is up and listening.</summary>
    public bool IsConnected => _connected;

    /// <summary>
    /// How many times the connection was lost (or could not be opened again) and the loop went to wait before reconnecting.
    /// Unlike <see cref="IsConnected"/>, which is false only for that wait, it keeps the fact that a loss happened.
    /// </summary>
    internal long ConnectionLosses => Interlocked.Read(ref _losses);

    /// <summary>
    /// LISTENs, then runs on each connection until disposed (or <paramref name="stopping"/>): <see cref="OnConnectedAsync"/>
    /// once, then <see cref="ServeAsync"/>. A failure of either is a loss, reported to <see cref="OnLost"/>; the delay before
    /// the next attempt grows until <see cref="OnConnectedAsync"/> succeeds again.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The first LISTEN failed; <paramref name="what"/> says what it was for.</exception>
    protected async Task StartListeningAsync(string what, CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        try
        {
            _connection = await ListenAsync(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            throw PostgresErrors.Unavailable(what, ex);
        }

        // On the system clock: a test's manual clock drives leases and expiry, not how long a network takes to come back.
        var policy = new LoopPolicy { MinDelay = Options.MinReconnectDelay, MaxDelay = Options.MaxReconnectDelay, Critical = critical, ReportsHealthy = true };
        _loop = new SupervisedLoop(name, ListenOnAsync, TimeProvider.System, policy, loops, Lost, stopping);
        _loop.Start();
    }

    /// <summary>A notification's payload, on Npgsql's thread: it must not block.</summary>
    protected abstract void OnNotification(string payload);

    /// <summary>On each new connection, first; <paramref name="failures"/> is how many attempts failed before it (0 the first time).</summary>
    protected abstract Task OnConnectedAsync(NpgsqlConnection connection, int failures, CancellationToken token);

    /// <summary>The connection was lost; the next attempt is <paramref name="delayMs"/> away.</summary>
    protected abstract void OnLost(long delayMs, Exception exception);

    /// <summary>Runs until the connection fails; by default it only waits for notifications.</summary>
    protected virtual async Task ServeAsync(NpgsqlConnection connection, CancellationToken token)
    {
        while (true)
        {
            await connection.WaitAsync(token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_loop is not null)
        {
            await _loop.StopAsync();
        }

        await _source.DisposeAsync();
    }

    /// <summary>The loop's body: one connection's life, from LISTEN (the first connection already listens) until it fails or stops.</summary>
    private async Task ListenOnAsync(CancellationToken token)
    {
        try
        {
            _connection ??= await ListenAsync(token);
            await OnConnectedAsync(_connection, _loop!.Failures, token);
            _loop.ReportHealthy();
            await ServeAsync(_connection, token);
        }
        finally
        {
            _connected = false;
            await CloseAsync(_connection);
            _connection = null;
        }
    }

    private void Lost(LoopFailure failure)
    {
        Interlocked.Increment(ref _losses);
        OnLost((long)(failure.RestartIn ?? TimeSpan.Zero).TotalMilliseconds, failure.Error);
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken token)
    {
        var connection = await _source.OpenConnectionAsync(token);
        try
        {
            connection.Notification += (_, e) =>
            {
                if (e.Channel == channel)
                {
                    OnNotification(e.Payload);
                }
            };
            await using var command = new NpgsqlCommand($"LISTEN {channel};", connection);
            await command.ExecuteNonQueryAsync(token);
            _connected = true;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Disposes a connection that may already be broken.</summary>
    private static async Task CloseAsync(NpgsqlConnection? connection)
    {
        try
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            // Already broken; nothing left to release.
        }
    }
}
