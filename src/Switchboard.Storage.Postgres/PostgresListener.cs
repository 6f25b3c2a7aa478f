using Npgsql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// One connection that LISTENs on one channel, kept listening: its first LISTEN fails the start when the database cannot
/// be reached; afterwards a lost connection is closed and opened again after a backoff (doubling from
/// <see cref="PostgresStoreOptions.MinReconnectDelay"/> up to <see cref="PostgresStoreOptions.MaxReconnectDelay"/>, with
/// jitter). The event feed and the stream feed share this loop and differ only in what they do on the connection.
/// </summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly string _channel;
    private readonly PostgresStoreOptions _options;
    private readonly Action<string> _notified;
    private readonly CancellationTokenSource _disposed = new();
    private Task? _loop;
    private volatile bool _connected;
    private long _losses;

    /// <param name="connection">Its own connection: outside any pool, which would reset it, since it lives for hours.</param>
    /// <param name="channel">The channel it listens on.</param>
    /// <param name="options">The reconnect delays.</param>
    /// <param name="notified">Each notification's payload, on Npgsql's thread: it must not block.</param>
    public PostgresListener(NpgsqlConnectionStringBuilder connection, string channel, PostgresStoreOptions options, Action<string> notified)
    {
        _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false });
        _channel = channel;
        _options = options;
        _notified = notified;
    }

    /// <summary>True once <see cref="StartAsync"/> succeeded.</summary>
    public bool IsStarted => _loop is not null;

    /// <summary>True while the connection is up and listening.</summary>
    public bool IsConnected => _connected;

    /// <summary>
    /// How many times the connection was lost (or could not be opened again) and the loop went to wait before reconnecting.
    /// Unlike <see cref="IsConnected"/>, which is false only for that wait, it keeps the fact that a loss happened.
    /// </summary>
    public long ConnectionLosses => Interlocked.Read(ref _losses);

    /// <summary>
    /// LISTENs, then runs on each connection, until disposed (or <paramref name="stopping"/>): <paramref name="connected"/>
    /// once, with how many attempts failed before it (0 the first time), then <paramref name="serve"/>, which returns only
    /// by throwing. A failure of either counts as a loss, and is reported to <paramref name="lost"/> with the delay before
    /// the next attempt; the delay grows until <paramref name="connected"/> succeeds again.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The first LISTEN failed; <paramref name="what"/> says what it was for.</exception>
    public async Task StartAsync(string what, Func<NpgsqlConnection, int, CancellationToken, Task> connected, Func<NpgsqlConnection, CancellationToken, Task> serve,
        Action<long, Exception> lost, CancellationToken cancellationToken, CancellationToken stopping = default)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await ListenAsync(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            throw PostgresErrors.Unavailable(what, ex);
        }

        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, _disposed.Token);
        _loop = Task.Run(() => RunAsync(connection, connected, serve, lost, stop));
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

    private async Task RunAsync(NpgsqlConnection? connection, Func<NpgsqlConnection, int, CancellationToken, Task> connected,
        Func<NpgsqlConnection, CancellationToken, Task> serve, Action<long, Exception> lost, CancellationTokenSource stop)
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
                    await connected(connection, failures, token);
                    failures = 0;
                    await serve(connection, token);
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
                    lost((long)delay.TotalMilliseconds, ex);
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
                if (e.Channel == _channel)
                {
                    _notified(e.Payload);
                }
            };
            await using var command = new NpgsqlCommand($"LISTEN {_channel};", connection);
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
        var grown = _options.MinReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(grown, _options.MaxReconnectDelay.TotalMilliseconds);
        // Jitter keeps a fleet of nodes from reconnecting to a restarted server in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    /// <summary>Disposes a connection that may already be broken.</summary>
    private static async Task CloseAsync(NpgsqlConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            // Already broken; nothing left to release.
        }
    }
}
