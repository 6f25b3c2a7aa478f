using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts;
using Switchboard.Server.Live;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>
/// The alert evaluator reads the applied events from its own bounded inbox, off the live loop: while it lags within
/// that bound delivery goes on, and once it is full the fan-out waits for it (so writers slow down) instead of the
/// inbox growing; nothing is lost either way.
/// </summary>
public sealed class AlertInboxTests
{
    [Fact]
    public async Task ALaggingEvaluatorDoesNotStallDelivery()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(AlertKit.Rule("err", "session_error")));
        var evaluator = server.Get<AlertEvaluator>();
        await server.SettleAsync();
        var release = new TaskCompletionSource();
        await evaluator.Hold(release.Task);

        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await subscriber.JoinAsync("sessions")).Status.ShouldBe("ok");
        for (var i = 0; i < 20; i++)
        {
            await server.Http.CreateAsync($"s{i}", new { state = i == 0 ? "error" : "working" });
        }

        await subscriber.WaitForAsync(f => f.Seq == 20);
        evaluator.EvaluatedThrough.ShouldBeLessThan(20, "the evaluator is still held");
        evaluator.InboxDepth.ShouldBeGreaterThan(0);

        release.SetResult();
        await server.ExpectHistoryAsync("err", "alert_raised s0");
    }

    [Fact]
    public async Task AnEvaluatorThatFallsBehindHoldsTheFanOutAtItsInboxBoundAndLosesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(AlertKit.Rule("err", "session_error"));
            o.Alerts.MaxPendingEvents = 5;
            // Only the evaluator's bound: each write while the fan-out is held is answered after Stream:FanoutAnswerWait,
            // so with the default age limit (250 ms) the writes after the sixth would be refused as overload, rightly.
            o.Sockets.MaxFanoutLag = TimeSpan.FromHours(1);
        });
        var evaluator = server.Get<AlertEvaluator>();
        var live = server.Get<LiveHub>();
        await server.SettleAsync();
        var release = new TaskCompletionSource();
        await evaluator.Hold(release.Task);

        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await subscriber.JoinAsync("sessions")).Status.ShouldBe("ok");
        for (var i = 0; i < 10; i++)
        {
            await server.Http.CreateAsync($"s{i}", new { state = i == 9 ? "error" : "working" });
        }

        // Five events fill the evaluator's inbox; the other five wait, committed, for the fan-out.
        await TestTimeouts.Eventually(() => live.PendingEvents == 5 && live.HeadSeq == 5, "the fan-out to stop at the evaluator's bound");
        evaluator.InboxDepth.ShouldBeLessThanOrEqualTo(5 + 1, "the evaluator's inbox never grows past its bound (plus the hold itself)");
        await subscriber.WaitForAsync(f => f.Seq == 5);

        release.SetResult();
        await subscriber.WaitForAsync(f => f.Seq == 10);
        await server.ExpectHistoryAsync("err", "alert_raised s9");
        live.PendingEvents.ShouldBe(0);
    }
}
