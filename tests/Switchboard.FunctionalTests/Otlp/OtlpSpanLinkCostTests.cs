using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// A span's parent is looked up by its id, whatever the span's timestamps say: a <c>chat</c> span that claims to have
/// started in 1970 under a parent span nobody has seen costs one lookup, on both stores, and the writes after it wait for
/// nothing.
/// </summary>
public sealed class OtlpSpanLinkCostTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ASpanFrom1970UnderAnUnknownParentIsAnsweredAtOnceAndDelaysNothing(string store)
    {
        var db = store == "postgres" ? await (await postgres.GetAsync()).CreateDatabaseAsync() : null;
        await using var server = db is null ? await SwitchboardServer.StartAsync() : await SwitchboardServer.StartAsync(store: b => b.UsePostgres(db));
        var http = server.Http;
        // Warm up both paths, so what is timed below is the link lookup, not the first request's start-up.
        (await OtlpKit.PostAsync(http, "/v1/traces", OtlpKit.ChatSpans(["warm"], seed: 3).ToByteArray())).EnsureSuccessStatusCode();
        await http.CreateAsync("warm-create");

        var hostile = OtlpKit.ChatSpans(["from-1970"], seed: 4);
        var span = hostile.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.StartTimeUnixNano = 1; // a parent span that came first would have to be looked for from 1970 until now
        var clock = Stopwatch.StartNew();
        (await OtlpKit.PostAsync(http, "/v1/traces", hostile.ToByteArray())).EnsureSuccessStatusCode();
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "one lookup by the parent span's id, not one per second since 1970");

        clock.Restart();
        await http.CreateAsync("plain-after");
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "the writer is not busy with the span's link");
        (await OtlpKit.SessionAsync(http, "otel:c:from-1970")).GetProperty("input_tokens").GetInt64().ShouldBe(10);
    }
}
