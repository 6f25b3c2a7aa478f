using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Commands;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Commands;

/// <summary>
/// The producer's long-poll, <c>GET …/commands?wait=N</c>: it answers as soon as a command is issued (woken by the event
/// the live loop applied, not by polling the store), hands the pending ones over, times out on the injected clock, and
/// the waiters are bounded.
/// </summary>
public sealed class CommandLongPollTests
{
    [Fact]
    public async Task ALongPollAnswersAsSoonAsACommandIsIssuedAndHandsItOver()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("lp");
        var watch = server.Get<CommandWatch>();
        var poll = server.Http.GetJsonAsync("/api/sessions/lp/commands?state=pending&wait=60");
        await TestTimeouts.Eventually(() => watch.Waiters == 1, "the long-poll to wait");
        poll.IsCompleted.ShouldBeFalse("nothing is pending yet");

        var id = (await server.Http.IssueAsync("lp", new { type = "cancel", text = "stop" })).Str("id");
        var answer = (await poll.Within()).Body;
        answer.CommandIds().ShouldBe([id]);
        answer.GetProperty("commands")[0].Str("state").ShouldBe("delivered");
        await server.Http.ExpectHistoryAsync("lp", "command_issued cancel", "command_delivered cancel");
        watch.Waiters.ShouldBe(0);

        // The next long-poll on pending waits again (it does not repeat the delivered command), until the next one.
        var next = server.Http.GetJsonAsync("/api/sessions/lp/commands?wait=60");
        await TestTimeouts.Eventually(() => watch.Waiters == 1, "the second long-poll to wait");
        var second = (await server.Http.IssueAsync("lp", new { type = "message", text = "hello" })).Str("id");
        (await next.Within()).Body.CommandIds().ShouldBe([second]);

        // After a restart a producer asks for what it was handed but never answered: it comes at once.
        (await server.Http.GetJsonAsync("/api/sessions/lp/commands?state=pending,delivered&wait=60").Within()).Body.CommandIds().ShouldBe([id, second]);
    }

    [Fact]
    public async Task ALongPollWithNothingToHandOverAnswersEmptyWhenItsWaitPassesOnTheInjectedClock()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await server.Http.CreateAsync("quiet");
        var watch = server.Get<CommandWatch>();
        var poll = server.Http.GetJsonAsync("/api/sessions/quiet/commands?wait=30");
        // In its wait, not only registered: the clock must not move before the wait's timeout is armed on it.
        await TestTimeouts.Eventually(() => watch.Waiting == 1, "the long-poll to wait");
        time.Advance(TimeSpan.FromSeconds(29));
        poll.IsCompleted.ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(2));
        var answer = await poll.Within();
        answer.Status.ShouldBe(200);
        answer.Body.CommandIds().ShouldBeEmpty();
        watch.Waiters.ShouldBe(0);
    }

    [Fact]
    public async Task LongPollsPastTheBoundAre503AndAnOutOfRangeWaitIs400()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Commands.MaxWaiters = 1;
            o.Commands.MaxWaitSeconds = 20;
        });
        await server.Http.CreateAsync("b1");
        await server.Http.CreateAsync("b2");
        var watch = server.Get<CommandWatch>();
        var first = server.Http.GetJsonAsync("/api/sessions/b1/commands?wait=20");
        await TestTimeouts.Eventually(() => watch.Waiters == 1, "the first long-poll to wait");

        var refused = await server.Http.GetJsonAsync("/api/sessions/b2/commands?wait=20");
        refused.ShouldBeProblem(503);
        refused.Response.Headers.RetryAfter!.ToString().ShouldBe("1");
        (await server.Http.GetJsonAsync("/api/sessions/b2/commands?wait=21")).ShouldBeProblem(400, "wait");
        (await server.Http.GetJsonAsync("/api/sessions/b2/commands?wait=-1")).ShouldBeProblem(400, "wait");

        await server.Http.IssueAsync("b1", new { type = "pause" });
        (await first.Within()).Body.GetProperty("commands").GetArrayLength().ShouldBe(1);
        await TestTimeouts.Eventually(() => watch.Waiters == 0, "the waiter to go");
        var now = server.Http.GetJsonAsync("/api/sessions/b2/commands?wait=20");
        await TestTimeouts.Eventually(() => watch.Waiters == 1, "a new long-poll to wait once there is room");
        await server.Http.IssueAsync("b2", new { type = "pause" });
        (await now.Within()).Status.ShouldBe(200);
    }

    [Fact]
    public async Task StoppingTheNodeAnswersWaitingLongPollsAtOnce()
    {
        var server = await SwitchboardServer.StartAsync();
        try
        {
            await server.Http.CreateAsync("s");
            var watch = server.Get<CommandWatch>();
            var poll = server.Http.GetJsonAsync("/api/sessions/s/commands?wait=60");
            await TestTimeouts.Eventually(() => watch.Waiters == 1, "the long-poll to wait");
            var stopping = server.StopAsync();
            var answer = await poll.Within();
            answer.Status.ShouldBe(200, answer.Body.ToString());
            answer.Body.CommandIds().ShouldBeEmpty();
            await stopping.Within(TestTimeouts.Long);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
