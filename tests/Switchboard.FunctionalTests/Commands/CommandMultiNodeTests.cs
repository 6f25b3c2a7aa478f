using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// Two real nodes on one PostgreSQL database: a command issued on A reaches a producer on B by each of the three ways
/// (B's long-poll is woken by the event from the feed, B's write answers read the shared table, B's subscribers get it
/// live), and an expiry is written once although both nodes run the job.
/// </summary>
public sealed class CommandMultiNodeTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task ACommandIssuedOnANodeReachesAProducerOnTheOtherByLongPollSocketAndWriteAnswer()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        await nodes.HttpB.CreateAsync("roaming", new { state = "working", lease_seconds = 120 });
        await using var socket = await PhoenixClient.ConnectAsync(nodes.B.WebSocketUri);
        (await socket.JoinAsync("session:roaming")).Status.ShouldBe("ok");

        // B's producer long-polls; the command is issued on A.
        using var longPoll = new HttpClient { BaseAddress = nodes.B.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        var poll = longPoll.GetJsonAsync("/api/sessions/roaming/commands?wait=60");
        await TestTimeouts.Eventually(async () => (await WaitersAsync(nodes.HttpB)) == 1, "B's long-poll to wait");
        var id = (await nodes.HttpA.IssueAsync("roaming", new { type = "pause", text = "from node A" })).Str("id");

        var answer = (await poll.Within()).Body;
        answer.CommandIds().ShouldBe([id]);
        answer.GetProperty("commands")[0].Str("state").ShouldBe("delivered");
        var live = await socket.WaitForAsync(f => f.Topic == "session:roaming" && f.Event == "command_issued");
        live.Payload.GetProperty("data").GetProperty("command").Str("id").ShouldBe(id);

        // B's write answers read the shared table under the log lock: not the one B's long-poll handed over already, but
        // the next one issued on A; each is acknowledged on B.
        (await nodes.HttpB.PostAsync("/api/sessions/roaming/heartbeat")).Body.CommandIds().ShouldBeEmpty("handed over once, by the long-poll");
        var next = (await nodes.HttpA.IssueAsync("roaming", new { type = "resume" })).Str("id");
        (await nodes.HttpB.PostAsync("/api/sessions/roaming/heartbeat")).Body.CommandIds().ShouldBe([next]);
        (await nodes.HttpB.PostAsync($"/api/sessions/roaming/commands/{id}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        (await nodes.HttpB.PostAsync($"/api/sessions/roaming/commands/{next}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        await TestTimeouts.Eventually(async () => (await nodes.HttpA.CommandsAsync("roaming")).All(c => c.Str("state") == "acknowledged"), "A to read the answers");
        await nodes.HttpA.ExpectHistoryAsync("roaming", "command_issued pause", "command_delivered pause", "command_issued resume", "command_delivered resume",
            "command_acknowledged pause", "command_acknowledged resume");
    }

    [Fact]
    public async Task BothNodesRunTheExpiryJobAndEachExpiryIsWrittenOnce()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db);
        await nodes.HttpA.CreateAsync("short");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await nodes.HttpA.IssueAsync("short", new { type = "message", text = $"#{i}", expires_in_seconds = 1 })).Str("id"));
        }

        await TestTimeouts.Eventually(async () => (await nodes.HttpB.CommandsAsync("short", "expired")).Count == 5, "every command to expire");
        // Both jobs keep running every second; a second expiry of any command would show as a second event.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var history = await nodes.HttpA.CommandHistoryAsync("short");
        history.Count(h => h.StartsWith("command_expired", StringComparison.Ordinal)).ShouldBe(5);
        history.Count(h => h.StartsWith("command_issued", StringComparison.Ordinal)).ShouldBe(5);
    }

    /// <summary>B's long-polls waiting for commands, from its metrics.</summary>
    private static async Task<int> WaitersAsync(HttpClient node)
    {
        var text = await node.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("switchboard_command_waiters ", StringComparison.Ordinal));
        return line is null ? -1 : (int)double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
