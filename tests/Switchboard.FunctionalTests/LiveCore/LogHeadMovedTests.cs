using System.Net.WebSockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Diagnostics;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// The log head moving under a running node (another process wrote to its SQLite file, or a backup was restored):
/// the write that finds it is refused with 503, <c>/readyz</c> says why, the node reloads its head and live state and
/// tells its subscribers to resume, and the next write succeeds. Before, every write failed forever with
/// "UNIQUE constraint failed: events.seq".
/// </summary>
public sealed class LogHeadMovedTests
{
    [Fact]
    public async Task ANodeWhoseLogMovedReportsItReloadsAndWritesAgain()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("a");
        (await server.Http.PatchAsync("/api/sessions/a", new { state = "working" })).Status.ShouldBe(200);
        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var joined = await subscriber.JoinAsync("sessions");
        joined.Response.Long("seq").ShouldBe(2);

        // Another writer appends seq 3 behind the node's back.
        await MoveTheLogUnderTheNodeAsync(server);

        var refused = await server.Http.PatchAsync("/api/sessions/a", new { state = "idle" });
        refused.Status.ShouldBe(503);
        refused.Body.Str("detail").ShouldContain("moved under this node");
        var (readyStatus, ready, _) = await server.Http.GetJsonAsync("/readyz");
        readyStatus.ShouldBe(503);
        ready.Str("status").ShouldContain("moved under this node");
        // The live loop logs it as it reloads, which may be a moment after the store refused the write.
        await TestTimeouts.Eventually(() => server.Logs.Entries.Any(e => e.EventId == LogEventIds.Live + 6 && e.Level == LogLevel.Warning),
            "the live loop logs once that the log moved");
        var (closed, _) = await subscriber.Closed.WaitAsync(TestTimeouts.Default);
        closed.ShouldBe(WebSocketCloseStatus.InternalServerError, "subscribers resume from the log, which has the foreign event");

        var accepted = await server.Http.PatchAsync("/api/sessions/a", new { state = "idle" });
        accepted.Status.ShouldBe(200, accepted.Body.ToString());
        // The write clears the store's reason; the loop drops its subscribers before it reloads, so it may still be
        // reloading now, and /readyz says so until it is done (that it turns ready by itself is what is checked).
        await TestTimeouts.Eventually(async () => (await server.Http.GetAsync("/readyz")).IsSuccessStatusCode, "ready again after the reload and a write");

        await using var resumed = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await resumed.JoinAsync("sessions", new { since = 2, epoch = joined.Response.Str("epoch") });
        // Seq 4 was acknowledged; the join replays it from the log or, if the hub had not applied it yet, sends it live.
        reply.Response.Long("replayed").ShouldBeInRange(1, 2);
        (await resumed.WaitForAsync(f => f.Seq is not null)).Seq.ShouldBe(3);
        (await resumed.WaitForAsync(f => f.Seq is not null)).Seq.ShouldBe(4);
    }

    /// <summary>
    /// Another writer (a second process, a restored backup) appends to the node's SQLite log behind its back: a copy of
    /// its last event one seq further, which the node's next write finds.
    /// </summary>
    internal static async Task MoveTheLogUnderTheNodeAsync(SwitchboardServer server)
    {
        await using var other = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "switchboard.db")};Pooling=False");
        await other.OpenAsync();
        await using var insert = other.CreateCommand();
        insert.CommandText = "INSERT INTO events(seq, at, type, session_id, data, labels, prior_labels) " +
                             "SELECT seq + 1, at, type, session_id, data, labels, prior_labels FROM events ORDER BY seq DESC LIMIT 1;";
        (await insert.ExecuteNonQueryAsync()).ShouldBe(1);
    }
}
