using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Alerts;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>
/// An alert evaluator that falls behind pushes back all the way to the writers: its bounded inbox stops the fan-out,
/// the committed events that then wait reach admission control's bound, and the next write waits and is refused with
/// 503 <c>overloaded</c> and <c>Retry-After</c>, leaving nothing written. No inbox grows meanwhile, and once the
/// evaluator catches up every acknowledged event is delivered and evaluated.
/// </summary>
public sealed class AlertBackPressureTests
{
    [Fact]
    public async Task AnEvaluatorThatFallsBehindMakesTheWritersWaitThenRefusesThemAndNothingGrows()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Alerts.Rules.Add(AlertKit.Rule("err", "session_error"));
            o.Alerts.MaxPendingEvents = 3;
            o.Sockets.MaxPendingEvents = 3;
            o.Sockets.WriteWaitTimeout = TestTimeouts.Long; // the six writes below wait for room as long as a loaded machine needs
            o.Sockets.MaxFanoutLag = TimeSpan.FromHours(1); // only the count bound, however slowly this machine sends the writes
        });
        var evaluator = server.Get<AlertEvaluator>();
        var live = server.Get<LiveHub>();
        await server.SettleAsync();
        var release = new TaskCompletionSource();
        await evaluator.Hold(release.Task);

        await using var subscriber = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await subscriber.JoinAsync("sessions")).Status.ShouldBe("ok");

        // Three events fill the evaluator's inbox, three more wait for the fan-out: the seventh write finds no room.
        var acknowledged = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await server.Http.CreateAsync($"s{i}", new { state = i == 5 ? "error" : "working" });
            acknowledged.Add($"s{i}");
        }

        await TestTimeouts.Eventually(() => live.HeadSeq == 3 && live.PendingEvents == 3, "the fan-out to stop at the evaluator's bound");
        server.Get<SocketOptions>().WriteWaitTimeout = TestTimeouts.RefusedWrite; // no room comes before the release: refused
        var (status, body, response) = await server.Http.PostAsync("/api/sessions", new { id = "refused" });
        status.ShouldBe(503);
        body.Str("code").ShouldBe("overloaded");
        response.Headers.RetryAfter.ShouldNotBeNull();

        evaluator.InboxDepth.ShouldBeLessThanOrEqualTo(3 + 1, "the evaluator's inbox stays within its bound (plus the hold)");
        live.PendingEvents.ShouldBe(3, "committed events waiting for the fan-out stay within admission's bound");
        live.InboxDepth.ShouldBeLessThanOrEqualTo(3, "the live loop's inbox holds only those commits");

        release.SetResult();
        await subscriber.WaitForAsync(f => f.Seq == 6);
        await server.ExpectHistoryAsync("err", "alert_raised s5");
        (await server.Http.GetAsync("/api/sessions/refused")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound, "a refused write leaves nothing");
        live.PendingEvents.ShouldBe(0);
        acknowledged.Count.ShouldBe(6);
    }
}
