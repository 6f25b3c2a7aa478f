using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Security;
using Switchboard.Server.Commands;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// The node's waiters (<c>Commands:MaxWaiters</c>: long-polls and held hooks) are shared by scope (docs/commands.md,
/// "Long-poll"): one team's key holding all the long-polls it may still leaves waiters free, and another team's
/// long-poll is served.
/// </summary>
public sealed class CommandWaiterShareTests
{
    /// <summary>A client with the key whose requests outlast the long-polls' wait.</summary>
    private static HttpClient Holding(SwitchboardServer server, string key)
    {
        var http = server.HttpWithKey(key);
        http.Timeout = TestTimeouts.Long;
        return http;
    }

    [Fact]
    public async Task ATeamThatFillsItsShareOfWaitersLeavesAnotherTeamsLongPollServed()
    {
        await using var keys = await ScopedKeys.StartAsync(o => o.Commands.MaxWaiters = 4);
        var watch = keys.Server.Get<CommandWatch>();
        using var red = Holding(keys.Server, ScopedKeys.RedKey);
        using var blueHttp = Holding(keys.Server, ScopedKeys.BlueKey);
        var held = new List<Task<(int Status, System.Text.Json.JsonElement Body, HttpResponseMessage Response)>>();
        (int Status, System.Text.Json.JsonElement Body, HttpResponseMessage Response)? refused = null;
        for (var i = 0; i < 5 && refused is null; i++)
        {
            var poll = red.GetJsonAsync($"/api/sessions/red-{i % 2 + 1}/commands?wait=50");
            await TestTimeouts.Eventually(() => watch.Waiters == held.Count + 1 || poll.IsCompleted, "red's long-poll to wait or be refused");
            if (poll.IsCompleted)
            {
                refused = await poll;
            }
            else
            {
                held.Add(poll);
            }
        }

        refused.ShouldNotBeNull("red may not hold every waiter of the node");
        refused.Value.ShouldBeProblem(503);
        refused.Value.Response.Headers.RetryAfter!.ToString().ShouldBe("1");
        held.Count.ShouldBe(2, "a scope holds at most as many waiters as are left free");

        var blue = blueHttp.GetJsonAsync("/api/sessions/blue-1/commands?wait=50");
        await TestTimeouts.Eventually(() => watch.Waiters == held.Count + 1 || blue.IsCompleted, "blue's long-poll to wait");
        blue.IsCompleted.ShouldBeFalse((blue.IsCompleted ? (await blue).Body.ToString() : "") + " blue's long-poll should wait");
        await keys.Admin.IssueAsync("blue-1", new { type = "pause" });
        var answered = await blue.Within();
        answered.Status.ShouldBe(200, answered.Body.ToString());
        answered.Body.CommandIds().Count.ShouldBe(1);

        await keys.Admin.IssueAsync("red-1", new { type = "pause" });
        await keys.Admin.IssueAsync("red-2", new { type = "pause" });
        foreach (var poll in held)
        {
            (await poll.Within()).Status.ShouldBe(200);
        }
    }
}
