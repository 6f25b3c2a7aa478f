using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Alerts;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts.Options;
using Switchboard.Server.Commands;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// No command is marked delivered without being handed over, on SQLite and PostgreSQL: a <c>limit=1</c> long-poll hands
/// commands over one by one; a delivered command not acknowledged within <c>Commands:RedeliverAfter</c> is handed over
/// again with the next attempt (on the injected clock); a session holds at most <c>Commands:MaxOutstandingPerSession</c>
/// outstanding commands and a write answer carries at most that many.
/// </summary>
public sealed class CommandRedeliveryTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    private async Task<SwitchboardServer> StartAsync(string store, Action<SwitchboardOptions>? configure = null, TimeProvider? time = null,
        string? dataDirectory = null, string? database = null)
    {
        if (store == "sqlite")
        {
            return await SwitchboardServer.StartAsync(configure, time, dataDirectory);
        }

        var db = database ?? await (await postgres.GetAsync()).CreateDatabaseAsync();
        return await SwitchboardServer.StartAsync(configure, time, store: b => b.UsePostgres(db));
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, string session, string query)
    {
        var r = await http.GetJsonAsync($"/api/sessions/{session}/commands?{query}").Within();
        r.Status.ShouldBe(200, r.Body.ToString());
        return r.Body;
    }

    /// <summary>The attempt of each <c>command_delivered</c> of the session in the log, as "command-text attempt".</summary>
    private static async Task<List<string>> DeliveriesAsync(HttpClient http, string session) =>
        [.. (await http.EventsAsync(sessionId: session))
            .Where(e => e.Str("type") == "command_delivered")
            .Select(e => $"{CommandKit.Command(e).Str("text")} {e.GetProperty("data").GetProperty("attempt").GetInt32()}")];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ALimitOneLongPollHandsOverThreeCommandsOneByOne(string store)
    {
        await using var server = await StartAsync(store);
        await server.Http.CreateAsync("one-by-one", new { state = "working" });
        var issued = new List<string>();
        foreach (var text in new[] { "first", "second", "third" })
        {
            issued.Add((await server.Http.IssueAsync("one-by-one", new { type = "message", text })).Str("id"));
        }

        var handed = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            var answer = await PollAsync(server.Http, "one-by-one", "state=pending&limit=1&wait=1");
            var command = answer.GetProperty("commands").EnumerateArray().ShouldHaveSingleItem($"poll {i + 1} hands over one command");
            command.Str("state").ShouldBe("delivered");
            handed.Add(command);
        }

        handed.Select(c => c.Str("id")).ShouldBe(issued, "each poll hands over the oldest command not yet handed over, and only that one");
        handed.ShouldAllBe(c => c.GetProperty("attempt").GetInt32() == 1);
        (await server.Http.CommandsAsync("one-by-one", "pending")).ShouldBeEmpty();
        (await DeliveriesAsync(server.Http, "one-by-one")).ShouldBe(["first 1", "second 1", "third 1"]);
        (await PollAsync(server.Http, "one-by-one", "state=pending&limit=1&wait=0")).CommandIds().ShouldBeEmpty("all three were handed over, once each");
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AnUnacknowledgedCommandIsHandedOverAgainAfterItsVisibilityTimeout(string store)
    {
        var time = new ManualTimeProvider();
        await using var server = await StartAsync(store, o => o.Commands.RedeliverAfter = TimeSpan.FromSeconds(20), time);
        await server.Http.CreateAsync("forgetful", new { state = "working" });
        var id = (await server.Http.IssueAsync("forgetful", new { type = "pause", text = "hold on" })).Str("id");
        (await PollAsync(server.Http, "forgetful", "wait=0")).CommandIds().ShouldBe([id]);

        // The producer never answers (its answer was lost, say). Its next long-poll waits: nothing is due yet.
        var watch = server.Get<CommandWatch>();
        var poll = server.Http.GetJsonAsync("/api/sessions/forgetful/commands?state=pending&wait=60");
        await TestTimeouts.Eventually(() => watch.Waiting == 1, "the long-poll to wait on the injected clock");
        (await server.Http.PostAsync("/api/sessions/forgetful/heartbeat")).Body.CommandIds().ShouldBeEmpty("inside its visibility timeout");
        time.Advance(TimeSpan.FromSeconds(19));
        poll.IsCompleted.ShouldBeFalse();

        // At its visibility timeout the waiting poll wakes (no event wakes it) and hands it over again.
        time.Advance(TimeSpan.FromSeconds(1));
        var answer = (await poll.Within()).Body;
        var again = answer.GetProperty("commands").EnumerateArray().ShouldHaveSingleItem();
        again.Str("id").ShouldBe(id);
        again.Str("state").ShouldBe("delivered");
        again.GetProperty("attempt").GetInt32().ShouldBe(2);
        (await DeliveriesAsync(server.Http, "forgetful")).ShouldBe(["hold on 1", "hold on 2"]);
        await server.Http.ExpectHistoryAsync("forgetful", "command_issued pause", "command_delivered pause", "command_delivered pause");

        // Withdrawing stays refused; a heartbeat after the next timeout carries it a third time; the answer ends it.
        (await server.Http.SendAsync(HttpMethod.Delete, $"/api/sessions/forgetful/commands/{id}")).ShouldBeProblem(409);
        time.Advance(TimeSpan.FromSeconds(20));
        var beat = (await server.Http.PostAsync("/api/sessions/forgetful/heartbeat")).Body;
        beat.GetProperty("commands").EnumerateArray().ShouldHaveSingleItem().GetProperty("attempt").GetInt32().ShouldBe(3);
        (await server.Http.PostAsync($"/api/sessions/forgetful/commands/{id}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        time.Advance(TimeSpan.FromSeconds(20));
        (await server.Http.PostAsync("/api/sessions/forgetful/heartbeat")).Body.CommandIds().ShouldBeEmpty("an acknowledged command is not handed over again");
        (await DeliveriesAsync(server.Http, "forgetful")).ShouldBe(["hold on 1", "hold on 2", "hold on 3"]);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ASessionTakesAtMostMaxOutstandingCommandsThen429AndAWriteAnswerCarriesAtMostThatMany(string store)
    {
        using var data = new TempDirectory();
        var database = store == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        await using (var roomy = await StartAsync(store, o => o.Commands.MaxOutstandingPerSession = 5, dataDirectory: data.Path, database: database))
        {
            await roomy.Http.CreateAsync("busy", new { state = "working" });
            for (var i = 1; i <= 5; i++)
            {
                await roomy.Http.IssueAsync("busy", new { type = "message", text = $"#{i}" });
            }

            var refused = await roomy.Http.PostAsync("/api/sessions/busy/commands", new { type = "message", text = "#6" });
            refused.ShouldBeProblem(429);
            refused.Body.Str("code").ShouldBe("too_many_commands");
            var detail = refused.Body.Str("detail");
            detail.ShouldContain("5 outstanding commands");
            detail.ShouldContain("Switchboard:Commands:MaxOutstandingPerSession = 5");
            detail.ShouldContain("/ack");
            detail.ShouldContain("DELETE /api/sessions/{id}/commands/{cid}");
            (await roomy.Http.CommandsAsync("busy")).Count.ShouldBe(5, "a refused issue writes nothing");
        }

        // The same commands on a node whose cap is lower: each write answer carries at most its cap, oldest first.
        await using var tight = await StartAsync(store, o => o.Commands.MaxOutstandingPerSession = 2, dataDirectory: data.Path, database: database);
        var texts = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var answer = (await tight.Http.PatchAsync("/api/sessions/busy", new { tasks_running = i + 1 })).Body;
            var carried = answer.GetProperty("commands").EnumerateArray().Select(c => c.Str("text")).ToList();
            carried.Count.ShouldBeLessThanOrEqualTo(2);
            texts.AddRange(carried);
        }

        texts.ShouldBe(["#1", "#2", "#3", "#4", "#5"]);
        var id = (await tight.Http.CommandsAsync("busy")).First().Str("id");
        (await tight.Http.PostAsync("/api/sessions/busy/commands", new { type = "pause" })).ShouldBeProblem(429);
        (await tight.Http.PostAsync($"/api/sessions/busy/commands/{id}/ack", new { outcome = "done" })).Status.ShouldBe(200);
        (await tight.Http.PostAsync("/api/sessions/busy/commands", new { type = "pause" })).ShouldBeProblem(429); // 4 are still outstanding, the cap is 2
    }

    [Fact]
    public async Task ARulesActionPastTheCapLeavesItsAlertStandingAndSaysSoOnTheAlertAndInTheLog()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Commands.MaxOutstandingPerSession = 1;
            o.Alerts.Rules.Add(new AlertRuleOptions
            {
                Id = "budget", Name = "Cancel runs past $5", Condition = "session_cost", Threshold = 5,
                Action = new AlertActionOptions { Type = "cancel", Text = "over the $5 budget" },
            });
        });
        await server.Http.CreateAsync("spender", new { state = "working" });
        await server.Http.IssueAsync("spender", new { type = "message", text = "busy work" });
        await server.Http.PostAsync("/api/sessions/spender/usage", new { cost_usd = 6 });

        await server.ExpectHistoryAsync("budget", "alert_raised spender");
        var alert = (await server.Http.GetJsonAsync("/api/alerts")).Body.GetProperty("alerts").EnumerateArray().ShouldHaveSingleItem();
        alert.Str("message").ShouldEndWith("Its cancel action was not issued: the session is at its limit of 1 outstanding commands (Switchboard:Commands:MaxOutstandingPerSession).");
        await server.SettleAsync();
        (await server.Http.CommandHistoryAsync("spender")).ShouldBe(["command_issued message", "command_delivered message"]);
        await TestTimeouts.Eventually(() => server.Logs.Entries.Any(e => e.EventId == Switchboard.Core.Diagnostics.LogEventIds.Alerts + 8
            && e.Message.Contains("session spender", StringComparison.Ordinal)), "the skipped action to be logged");
    }
}
