using Google.Protobuf;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>Sessions from OpenTelemetry go idle and end when their agent goes quiet, on a manual clock.</summary>
public sealed class OtlpQuietTests
{
    [Fact]
    public async Task AQuietSessionGoesIdleThenEndsAndActivityRestartsTheQuietPeriod()
    {
        var clock = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.IdleAfter = TimeSpan.FromSeconds(30);
            o.Otlp.EndAfter = TimeSpan.FromMinutes(10);
        }, time: clock);
        var monitor = server.Get<QuietMonitor>();
        var id = "otel:c:quiet-1";
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", OtlpKit.ChatSpans(["quiet-1"], seed: 1).ToByteArray())).EnsureSuccessStatusCode();
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("working");

        clock.Advance(TimeSpan.FromSeconds(29));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("working");

        // More telemetry 29 s in: the quiet period starts again.
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", OtlpKit.ChatSpans(["quiet-1"], seed: 2).ToByteArray())).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromSeconds(29));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("working");

        clock.Advance(TimeSpan.FromSeconds(2));
        await monitor.CheckAsync(); // after any tick the clock fired on the way
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("idle");

        clock.Advance(TimeSpan.FromMinutes(9));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("idle");

        clock.Advance(TimeSpan.FromSeconds(31));
        await monitor.CheckAsync(); // after any tick the clock fired on the way
        (await OtlpKit.SessionAsync(server.Http, id)).Str("state").ShouldBe("terminated");
        var events = await server.Http.EventsAsync(sessionId: id);
        events[^1].Str("type").ShouldBe("session_terminated");
        events[^1].GetProperty("data").Str("reason").ShouldBe("quiet");
    }

    [Fact]
    public async Task AnErroredSessionStaysInErrorUntilItEnds()
    {
        var clock = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(o => o.Otlp.EndAfter = TimeSpan.FromMinutes(10), time: clock);
        var monitor = server.Get<QuietMonitor>();
        var request = OtlpKit.ChatSpans(["quiet-err"], seed: 3);
        request.ResourceSpans[0].ScopeSpans[0].Spans[0].Status = new() { Code = Switchboard.Otlp.Proto.Trace.Status.Types.StatusCode.Error, Message = "rate limited" };
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", request.ToByteArray())).EnsureSuccessStatusCode();

        clock.Advance(TimeSpan.FromMinutes(1));
        await monitor.CheckAsync();
        var session = await OtlpKit.SessionAsync(server.Http, "otel:c:quiet-err");
        session.Str("state").ShouldBe("error");
        session.Str("error_message").ShouldBe("rate limited");

        clock.Advance(TimeSpan.FromMinutes(10));
        await monitor.CheckAsync();
        (await OtlpKit.SessionAsync(server.Http, "otel:c:quiet-err")).Str("state").ShouldBe("terminated");
    }

    [Fact]
    public async Task AfterARestartActiveSessionsStillGoQuiet()
    {
        using var data = new TempDirectory();
        var clock = new ManualTimeProvider();
        await using (var first = await SwitchboardServer.StartAsync(time: clock, dataDirectory: data.Path))
        {
            (await OtlpKit.PostAsync(first.Http, "/v1/traces", OtlpKit.ChatSpans(["quiet-restart"], seed: 4).ToByteArray())).EnsureSuccessStatusCode();
        }

        await using var second = await SwitchboardServer.StartAsync(time: clock, dataDirectory: data.Path);
        var monitor = second.Get<QuietMonitor>();
        await monitor.CheckAsync(); // loads the active sessions from OpenTelemetry
        clock.Advance(TimeSpan.FromSeconds(31));
        await monitor.CheckAsync(); // after any tick the clock fired on the way
        (await OtlpKit.SessionAsync(second.Http, "otel:c:quiet-restart")).Str("state").ShouldBe("idle");
    }
}
