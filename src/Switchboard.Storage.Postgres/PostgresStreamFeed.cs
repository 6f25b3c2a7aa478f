using Microsoft.Extensions.Logging;
using Npgsql;
using Switchboard.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Advances of streams across nodes: a dedicated connection LISTENs on <see cref="PostgresStreamSchema.Channel"/>, whose
/// notifications (sent by every node's stream commits, in commit order) name each stream that moved and its new tail. The
/// rows stay the truth: a reader woken here reads them. Notifications sent while the connection was down are lost, so
/// each reconnect tells the sink to resync (every reader reads its stream again). This node's own commits also reach the
/// sink directly after they commit (<see cref="Publish"/>), before their notification comes back.
/// </summary>
internal sealed class PostgresStreamFeed(string connectionString, PostgresStoreOptions options, ILogger logger) : IStreamFeed, IAsyncDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private IStreamSink? _sink;
    private Task? _loop;

    /// <summary>True while the LISTEN connection is up.</summary>
    public bool IsConnected { get; private set; }

    /// <inheritdoc />
    /// <remarks>The first LISTEN happens here, so a database that cannot be reached fails start-up instead of a background loop.</remarks>
    public async Task StartAsync(IStreamSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The stream feed was already started.");
        }

        NpgsqlConnection connection;
        try
        {
            connection = await ListenAsync(cancellationToken);
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            throw PostgresErrors.Unavailable("listen for stream appends", ex);
        }

        _loop = Task.Run(() => RunAsync(connection));
    }

    /// <summary>This node's commit: its advances go to the sink at once.</summary>
    public void Publish(IReadOnlyList<StreamAdvance> advances) => Volatile.Read(ref _sink)?.OnAdvanced(advances);

    private async Task RunAsync(NpgsqlConnection? connection)
    {
        var token = _disposed.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (connection is null)
                {
                    connection = await ListenAsync(token);
                    // Whatever was appended while nobody listened is in the rows: every reader looks again.
                    _sink!.OnResync("the stream listener reconnected to PostgreSQL");
                    PostgresStreamLog.Reconnected(logger, failures);
                    failures = 0;
                }

                while (true)
                {
                    await connection.WaitAsync(token);
                }
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                IsConnected = false;
                failures++;
                await PostgresListening.CloseAsync(connection);
                connection = null;
                var delay = PostgresListening.ReconnectDelay(options, failures);
                PostgresStreamLog.Disconnected(logger, (long)delay.TotalMilliseconds, ex);
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

        IsConnected = false;
        await PostgresListening.CloseAsync(connection);
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken token)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(token);
            connection.Notification += OnNotification;
            await using var command = new NpgsqlCommand($"LISTEN {PostgresStreamSchema.Channel};", connection);
            await command.ExecuteNonQueryAsync(token);
            IsConnected = true;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == PostgresStreamSchema.Channel && PostgresStreamRows.ParseNotify(e.Payload) is { Count: > 0 } advances)
        {
            _sink?.OnAdvanced(advances);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _disposed.Dispose();
    }
}
