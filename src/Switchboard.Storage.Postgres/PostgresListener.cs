using Npgsql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// A feed on one connection that LISTENs on one channel, kept listening: its first LISTEN fails the start when the
/// database cannot be reached; afterwards a lost connection is closed and opened again after a backoff (doubling from
/// <see cref="PostgresStoreOptions.MinReconnectDelay"/> up to <see cref="PostgresStoreOptions.MaxReconnectDelay"/>, with
/// jitter). The event feed and the stream feed share this loop; each says what it does on a connection.
/// </summary>
/// <param name="connection">Its own connection (unpooled here: a pool would reset it, and it lives for hours).</param>
internal abstract class PostgresListener(NpgsqlConnectionStringBuilder connection, string channel, PostgresStoreOptions options) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false });
    private readonly CancellationTokenSource _disposed = new();
    private Task? _loop;
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
        NpgsqlConnection first;
        try
        {
            first = await ListenAsync(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            throw PostgresErrors.Unavailable(what, ex);
        }

        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, _disposed.Token);
        _loop = Task.Run(() => RunAsync(first, stop));
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
        await _disposed.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        await _source.DisposeAsync();
        _disposed.Dispose();
    }

    private async Task RunAsync(NpgsqlConnection? connection, CancellationTokenSource stop)
    {
        var token = stop.Token;
        var failures = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                try
                {
                    connection ??= await ListenAsync(token);
                    await OnConnectedAsync(connection, failures, token);
                    failures = 0;
                    await ServeAsync(connection, token);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    _connected = false;
                    Interlocked.Increment(ref _losses);
                    failures++;
                    await CloseAsync(connection);
                    connection = null;
                    var delay = ReconnectDelay(failures);
                    OnLost((long)delay.TotalMilliseconds, ex);
                    try
                    {
                        await Task.Delay(delay, token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            _connected = false;
            await CloseAsync(connection);
            stop.Dispose();
        }
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

    private TimeSpan ReconnectDelay(int failures)
    {
        var grown = Options.MinReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(grown, Options.MaxReconnectDelay.TotalMilliseconds);
        // Jitter keeps a fleet of nodes from reconnecting to a restarted server in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
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
