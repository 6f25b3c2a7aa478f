using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Alerts;

/// <summary>Alert events on the <c>alerts</c> topic and their session's topic, resumable by seq; open alerts survive a restart.</summary>
public sealed class AlertTopicTests
{
    [Fact]
    public async Task AlertEventsReachTheAlertsTopicAndTheSessionTopicButNotSessions()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Alerts.Rules.Add(AlertKit.Rule("err", "session_error", severity: "critical")));
        await server.Http.CreateAsync("old", new { state = "error" });
        await server.ExpectHistoryAsync("err", "alert_raised old");

        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var alerts = await client.JoinAsync("alerts");
        alerts.Status.ShouldBe("ok", alerts.Raw);
        var snapshot = alerts.Response.GetProperty("alerts").EnumerateArray().ToList();
        snapshot.ShouldHaveSingleItem().Str("session_id").ShouldBe("old");
        var since = alerts.Response.Long("seq");
        (await client.JoinAsync("session:a")).Status.ShouldBe("ok");
        (await client.JoinAsync("sessions")).Status.ShouldBe("ok");

        await server.Http.CreateAsync("a", new { state = "working" });
        (await server.Http.PatchAsync("/api/sessions/a", new { state = "error", error_message = "boom" })).Status.ShouldBe(200);
        var onAlerts = await client.WaitForAsync(f => f.Topic == "alerts" && f.Event == "alert_raised");
        onAlerts.Payload.GetProperty("data").GetProperty("alert").Str("subject").ShouldBe("a");
        onAlerts.Payload.Str("session_id").ShouldBe("a");
        var onSession = await client.WaitForAsync(f => f.Topic == "session:a" && f.Event == "alert_raised");
        onSession.Seq.ShouldBe(onAlerts.Seq);
        await server.SettleAsync();
        var frames = await client.DrainAsync(TimeSpan.FromMilliseconds(200));
        frames.ShouldNotContain(f => f.Topic == "sessions" && f.Event.StartsWith("alert_"));
        frames.ShouldNotContain(f => f.Topic == "alerts" && !f.Event.StartsWith("alert_") && f.Event != "phx_reply");

        // A client that saw the snapshot resumes from its seq and gets exactly the alert events after it.
        await using var resumer = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var resumed = await resumer.JoinAsync("alerts", new { since, epoch = alerts.Response.Str("epoch") });
        resumed.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue(resumed.Raw);
        resumed.Response.Long("replayed").ShouldBe(1);
        var replayed = await resumer.WaitForAsync(f => f.Topic == "alerts" && f.Event == "alert_raised");
        replayed.Seq.ShouldBe(onAlerts.Seq);
    }

    [Fact]
    public async Task AfterARestartAnOpenAlertIsNotRaisedAgainAndStillResolves()
    {
        using var data = new TempDirectory();
        void Configure(SwitchboardOptions o) => o.Alerts.Rules.Add(AlertKit.Rule("err", "session_error"));
        await using (var first = await SwitchboardServer.StartAsync(Configure, dataDirectory: data.Path))
        {
            await first.Http.CreateAsync("a", new { state = "error" });
            await first.ExpectHistoryAsync("err", "alert_raised a");
        }

        await using var second = await SwitchboardServer.StartAsync(Configure, dataDirectory: data.Path);
        (await second.Http.PostAsync("/api/sessions/a/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
        await second.ExpectHistoryAsync("err", "alert_raised a");
        (await second.Http.PatchAsync("/api/sessions/a", new { state = "idle" })).Status.ShouldBe(200);
        await second.ExpectHistoryAsync("err", "alert_raised a", "alert_resolved a");
    }
}
