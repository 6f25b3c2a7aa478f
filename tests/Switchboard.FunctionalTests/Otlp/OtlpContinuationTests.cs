using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Usage an exporter reports after its session ended is never dropped: the agent continues in a new session that names
/// the ended one, on both stores, on the server's manual clock.
/// </summary>
public sealed class OtlpContinuationTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task UsageAfterAQuietEndIsCountedInASessionThatContinuesTheEndedOne(string store)
    {
        var clock = new ManualTimeProvider();
        var db = store == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Otlp.IdleAfter = TimeSpan.FromSeconds(1);
            o.Otlp.EndAfter = TimeSpan.FromSeconds(2);
        }, time: clock, store: db is null ? null : (Action<ISwitchboardBuilder>)(b => b.UsePostgres(db)));
        var http = server.Http;
        var monitor = server.Get<QuietMonitor>();
        (await OtlpKit.PostAsync(http, "/v1/traces", OtlpKit.ChatSpans(["away"], inputTokens: 100, seed: 1).ToByteArray())).EnsureSuccessStatusCode();
        (await http.PatchAsync("/api/sessions/otel:c:away", new { labels = new { service = "bench-agent", source = "opentelemetry", team = "red" } })).Status.ShouldBe(200);

        // The person stepped away. (The PATCH moved the version the monitor knew: its first look may only start the quiet
        // period again from then, the second ends the session.)
        for (var i = 0; i < 2; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(8));
            await monitor.CheckAsync();
        }

        (await OtlpKit.SessionAsync(http, "otel:c:away")).Str("state").ShouldBe("terminated");

        // The same bytes again below are the exporter's retry (a span's key has its end second, so a rebuilt request is not).
        var afterTheEnd = OtlpKit.ChatSpans(["away"], inputTokens: 200, seed: 2).ToByteArray();
        (await OtlpKit.PostAsync(http, "/v1/traces", afterTheEnd)).EnsureSuccessStatusCode();

        var ended = await OtlpKit.SessionAsync(http, "otel:c:away");
        ended.Str("state").ShouldBe("terminated", "terminated stays final");
        ended.Long("input_tokens").ShouldBe(100);
        var next = await OtlpKit.SessionAsync(http, "otel:c2:away");
        next.Long("input_tokens").ShouldBe(200, "the tokens reported after the end are counted, not dropped");
        next.Str("continues").ShouldBe("otel:c:away");
        next.Str("state").ShouldBe("working");
        next.Str("usage_from").ShouldBe("events");
        next.GetProperty("labels").Str("team").ShouldBe("red", "the labels a client gave the agent stay with it");
        var created = (await http.EventsAsync(sessionId: "otel:c2:away")).ShouldHaveSingleItem();
        created.Str("type").ShouldBe("session_created", "a live view sees the agent again the moment it speaks");

        // More telemetry goes on in the continuation; once that ends too (here by a client's terminate), the next one continues it.
        (await OtlpKit.PostAsync(http, "/v1/traces", OtlpKit.ChatSpans(["away"], inputTokens: 30, seed: 3).ToByteArray())).EnsureSuccessStatusCode();
        (await OtlpKit.SessionAsync(http, "otel:c2:away")).Long("input_tokens").ShouldBe(230);
        (await http.PostAsync("/api/sessions/otel:c2:away/terminate")).Status.ShouldBe(200);
        (await OtlpKit.PostAsync(http, "/v1/traces", OtlpKit.ChatSpans(["away"], inputTokens: 7, seed: 4).ToByteArray())).EnsureSuccessStatusCode();
        var third = await OtlpKit.SessionAsync(http, "otel:c3:away");
        third.Str("continues").ShouldBe("otel:c2:away");
        third.Long("input_tokens").ShouldBe(7);

        // A retry of an export counted before the end adds nothing anywhere.
        (await OtlpKit.PostAsync(http, "/v1/traces", afterTheEnd)).EnsureSuccessStatusCode();
        (await OtlpKit.SessionAsync(http, "otel:c3:away")).Long("input_tokens").ShouldBe(7);
    }
}
