using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Switchboard.Core.Events;
using Switchboard.Core.Hosting;
using Switchboard.Core.Storage;
using Switchboard.Core.Storage.Sql;

namespace Switchboard.Storage.Postgres;

/// <summary>
/// Tails the events table. A dedicated connection LISTENs on <see cref="PostgresSchema.Channel"/>; each notification
/// (whose payload is only a seq), each poll interval and each reconnect triggers a read of
/// <c>seq &gt; last ORDER BY seq</c>, and only the run of consecutive seqs after <c>last</c> is handed to the sink.
/// Own writes arrive the same way as other nodes' writes: the table is the truth.
/// </summary>
/// <remarks>Its loop, <c>postgres-events</c>, is critical: a node whose feed is down delivers nothing from the other nodes.</remarks>
internal sealed class PostgresEventFeed(NpgsqlConnectionStringBuilder connection, PostgresStoreOptions options, ILogger logger, BackgroundLoops? loops = null)
    : PostgresListener(connection, PostgresSchema.Channel, options, "postgres-events", critical: true, loops), IEventFeed
{
    private const int PageSize = 1000;
    private static readonly TimeSpan GapRetryDelay = TimeSpan.FromMilliseconds(50);

    private IEventSink? _sink;
    private long _last;
    private long _announced;
    private bool _progressed;

    /// <inheritdoc />
    /// <remarks>The first LISTEN happens here, so a database that cannot be reached fails start-up instead of a background loop.</remarks>
    public async Task StartAsync(long afterSeq, IEventSink sink, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _sink, sink, null) is not null)
        {
            throw new InvalidOperationException("The event feed was already started.");
        }

        _last = afterSeq;
        _announced = afterSeq;
        await StartListeningAsync("listen for committed events", cancellationToken, stopping: cancellationToken);
        PostgresLog.Listening(logger, PostgresSchema.Channel, afterSeq);
    }

    /// <summary>Whatever committed while nobody listened is in the table; reading it first closes that window.</summary>
    protected override async Task OnConnectedAsync(NpgsqlConnection connection, int failures, CancellationToken token)
    {
        _progressed = await CatchUpAsync(connection, token);
        if (failures > 0)
        {
            PostgresLog.FeedReconnected(logger, failures, _last);
        }
    }

    protected override async Task ServeAsync(NpgsqlConnection connection, CancellationToken token)
    {
        while (true)
        {
            await WaitForWorkAsync(connection, _progressed, token);
            _progressed = await CatchUpAsync(connection, token);
        }
    }

    /// <summary>
    /// Returns when there may be something to read: a notification beyond what was delivered, or the poll interval
    /// passed. A notification that arrived during the last read may name rows that read's snapshot missed, so it
    /// counts too.
    /// </summary>
    private async Task WaitForWorkAsync(NpgsqlConnection connection, bool progressed, CancellationToken token)
    {
        while (Volatile.Read(ref _announced) <= _last)
        {
            if (!await connection.WaitAsync(Options.PollInterval, token))
            {
                return; // poll: the safety net, and a liveness check of this connection
            }
        }

        if (!progressed)
        {
            await Task.Delay(GapRetryDelay, token);
        }
    }

    /// <summary>Hands every consecutive committed event after <c>_last</c> to the sink. Returns whether any was delivered.</summary>
    private async Task<bool> CatchUpAsync(NpgsqlConnection connection, CancellationToken token)
    {
        var progressed = false;
        while (true)
        {
            // A node that fans out slower than the others write falls behind in the table, not in memory.
            await _sink!.WaitForRoomAsync(token);
            var page = await new SqlConnectionScope(connection, null, PostgresDialect.Instance).QueryAsync(
                $"SELECT {SqlDialect.EventColumns} FROM switchboard_events WHERE seq > @after ORDER BY seq LIMIT {PageSize};",
                PostgresDialect.Instance.ReadEvent, ("@after", _last));

            if (page.Count == 0)
            {
                return progressed;
            }

            var run = 0;
            while (run < page.Count && page[run].Seq == _last + 1 + run)
            {
                run++;
            }

            if (run == 0)
            {
                if (!await SkipPurgedAsync(connection, page[0].Seq, token))
                {
                    return progressed;
                }

                continue;
            }

            _sink!.OnCommitted(run == page.Count ? page : page.GetRange(0, run));
            Volatile.Write(ref _last, page[run - 1].Seq);
            progressed = true;
            if (run == page.Count && page.Count < PageSize)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// The next stored event is not <c>_last + 1</c>. If retention deleted the missing ones, they are gone for good and
    /// the feed moves on (loudly). Otherwise they are not visible yet — which the log lock rules out, but the feed
    /// never skips a seq on that assumption: it waits and reads again.
    /// </summary>
    private async Task<bool> SkipPurgedAsync(NpgsqlConnection connection, long next, CancellationToken token)
    {
        await using var command = new NpgsqlCommand("SELECT min(seq) FROM switchboard_events;", connection);
        var first = await command.ExecuteScalarAsync(token) is long min ? min : next;
        if (first > _last + 1 && next == first)
        {
            PostgresLog.FeedFellBehindRetention(logger, _last + 1, first - 1);
            Volatile.Write(ref _last, first - 1);
            return true;
        }

        PostgresLog.FeedWaitingForGap(logger, _last + 1);
        return false;
    }

    protected override void OnLost(long delayMs, Exception exception) => PostgresLog.FeedDisconnected(logger, delayMs, exception);

    protected override void OnNotification(string payload)
    {
        if (long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > Volatile.Read(ref _announced))
        {
            Volatile.Write(ref _announced, seq);
        }
    }
}
