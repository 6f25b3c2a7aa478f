using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>
/// Stalled deadlines are armed from the sessions that changed, not by scanning the fleet on every event: these tests
/// move the session that is due first, and add one due sooner than what is armed, and check every alert still comes on time.
/// </summary>
public sealed class AlertDeadlineTests
{
    [Fact]
    public async Task WhenTheSessionDueFirstChangesTheOthersStillStallOnTimeInTheirOrder()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(AlertKit.Rule("stall", "stalled", seconds: 60)), time: time);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await server.Http.CreateAsync(id, new { state = "working" });
            await server.SettleAsync();
            time.Advance(TimeSpan.FromSeconds(id == "c" ? 10 : 20)); // a is due at 60 s, b at 80 s, c at 100 s
        }

        (await server.Http.PostAsync("/api/sessions/a/usage", new { output_tokens = 1 })).Status.ShouldBe(200); // at 50 s: a now due at 110 s
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(29)); // 79 s
        await server.SettleAsync();
        (await server.HistoryAsync("stall")).ShouldBeEmpty();

        time.Advance(TimeSpan.FromSeconds(2)); // 81 s
        await server.ExpectHistoryAsync("stall", "alert_raised b");
        time.Advance(TimeSpan.FromSeconds(20)); // 101 s
        await server.ExpectHistoryAsync("stall", "alert_raised b", "alert_raised c");
        time.Advance(TimeSpan.FromSeconds(10)); // 111 s
        await server.ExpectHistoryAsync("stall", "alert_raised b", "alert_raised c", "alert_raised a");
    }

    [Fact]
    public async Task ASessionDueSoonerThanWhatIsArmedIsStillCaughtOnTime()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(AlertKit.Rule("slow", "stalled", seconds: 300));
            o.Alerts.Rules.Add(AlertKit.Rule("fast", "stalled", seconds: 30, labels: "team=fast"));
        }, time: time);
        await server.Http.CreateAsync("long", new { state = "working" }); // armed for 300 s
        await server.SettleAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await server.Http.CreateAsync("quick", new { state = "working", labels = new { team = "fast" } }); // due at 40 s
        await server.SettleAsync();

        time.Advance(TimeSpan.FromSeconds(29)); // 39 s
        await server.SettleAsync();
        (await server.HistoryAsync("fast")).ShouldBeEmpty();
        time.Advance(TimeSpan.FromSeconds(2)); // 41 s
        await server.ExpectHistoryAsync("fast", "alert_raised quick");
        (await server.HistoryAsync("slow")).ShouldBeEmpty();

        time.Advance(TimeSpan.FromSeconds(260)); // 301 s
        await server.ExpectHistoryAsync("slow", "alert_raised long");
    }
}
