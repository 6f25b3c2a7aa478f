using Microsoft.Extensions.Logging;
using Npgsql;
using Switchboard.Core.Hosting;
using Switchboard.Core.Streams;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Advances of streams across nodes: a dedicated connection LISTENs on <see cref="PostgresStreamSchema.Channel"/>, whose
/// notifications (sent by every node's stream commits, in commit order) name each stream that moved and its new tail. The
/// rows stay the truth: a reader woken here reads them. Notifications sent while the connection was down are lost, so
/// each reconnect tells the sink to resync (every reader reads its stream again). This node's own commits also reach the
/// sink directly after they commit (<see cref="Publish"/>), before their notification comes back.
/// </summary>
/// <remarks>
/// Its loop, <c>postgres-streams</c>, is not critical (it never made the node unready): while it reconnects this node's own
/// appends still reach its readers, and the reconnect resyncs them.
/// </remarks>
internal sealed class PostgresStreamFeed(NpgsqlConnectionStringBuilder connection, PostgresStoreOptions options, ILogger logger, BackgroundLoops? loops = null)
    : PostgresListener(connection, PostgresStreamSchema.Channel, options, "postgres-streams", critical: false, loops), IStreamFeed
{
    private IStreamSink? _sink;

    /// <inheritdoc />
    /// <remarks>The first LISTEN happens here, so a database that cannot be reached fails start-up instead of a background loop.</remarks>
    public async Task StartAsync(IStreamSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The stream feed was already started.");
        }

        await StartListeningAsync("listen for stream appends", cancellationToken);
    }

    /// <summary>This node's commit: its advances go to the sink at once.</summary>
    public void Publish(IReadOnlyList<StreamAdvance> advances) => Volatile.Read(ref _sink)?.OnAdvanced(advances);

    /// <summary>Whatever was appended while nobody listened is in the rows: after a reconnect every reader looks again.</summary>
    protected override Task OnConnectedAsync(NpgsqlConnection connection, int failures, CancellationToken token)
    {
        if (failures > 0)
        {
            _sink!.OnResync("the stream listener reconnected to PostgreSQL");
            PostgresStreamLog.Reconnected(logger, failures);
        }

        return Task.CompletedTask;
    }

    protected override void OnLost(long delayMs, Exception exception) => PostgresStreamLog.Disconnected(logger, delayMs, exception);

    protected override void OnNotification(string payload)
    {
        if (PostgresStreamRows.ParseNotify(payload) is { Count: > 0 } advances)
        {
            _sink?.OnAdvanced(advances);
        }
    }
}
