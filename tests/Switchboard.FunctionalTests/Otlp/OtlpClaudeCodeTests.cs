using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Telemetry shaped like Claude Code's, sent by the OpenTelemetry JS SDK's own exporters from npm (tests/js/otlp/claude-code.js):
/// logs and delta metrics, over http/json and http/protobuf.
/// </summary>
public sealed class OtlpClaudeCodeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("http/json")]
    [InlineData("http/protobuf")]
    public async Task OneSessionPerSessionIdWithUsageCountedOnceThoughMetricsCarryItToo(string protocol)
    {
        var sessions = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        await NodeDriver.RunAsync("otlp/claude-code.js", fixture.Server.BaseAddress, new Dictionary<string, string>
        {
            ["OTLP_PROTOCOL"] = protocol,
            ["SESSION_IDS"] = string.Join(",", sessions),
        });

        foreach (var id in sessions)
        {
            var session = await OtlpKit.SessionAsync(fixture.Server.Http, "otel:s:" + id);
            // Input is what the model read: fresh input plus cache reads and writes (100+1000+50, 200+2000+0).
            session.Long("input_tokens").ShouldBe(3350);
            session.Long("output_tokens").ShouldBe(60);
            session.GetProperty("cost_usd").GetDecimal().ShouldBe(0.03m);
            session.Str("state").ShouldBe("working");
            session.Str("name").ShouldBe("claude-code");
            var labels = session.GetProperty("labels");
            labels.Str("service").ShouldBe("claude-code");
            labels.Str("model").ShouldBe("claude-sonnet-4-5");
            labels.Str("user").ShouldBe("user-" + id[..8]);
        }

        // The metrics did arrive (and were taken as activity): the usage above was not counted from them.
        var metrics = await fixture.Server.Http.GetStringAsync("/metrics");
        var accepted = metrics.Split('\n').Single(l => l.StartsWith("switchboard_otlp_records_total{", StringComparison.Ordinal)
            && l.Contains("signal=\"metrics\"", StringComparison.Ordinal) && l.Contains("outcome=\"accepted\"", StringComparison.Ordinal));
        double.Parse(accepted.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("http/json", "delta")]
    [InlineData("http/protobuf", "delta")]
    [InlineData("http/json", "cumulative")]
    [InlineData("http/protobuf", "cumulative")]
    public async Task WithOnlyMetricsUsageComesFromThemOnceWhateverTheTemporalityAndAcrossARestart(string protocol, string temporality)
    {
        var sessions = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        await NodeDriver.RunAsync("otlp/claude-code-metrics.js", fixture.Server.BaseAddress, new Dictionary<string, string>
        {
            ["OTLP_PROTOCOL"] = protocol,
            ["SESSION_IDS"] = string.Join(",", sessions),
            ["TEMPORALITY"] = temporality,
        });

        foreach (var id in sessions)
        {
            var session = await OtlpKit.SessionAsync(fixture.Server.Http, "otel:s:" + id);
            // Input is what the model read: 100+1000+50, 200+2000+0, then after the restart 7.
            session.Long("input_tokens").ShouldBe(3357, $"{protocol}, {temporality}");
            session.Long("output_tokens").ShouldBe(63);
            session.GetProperty("cost_usd").GetDecimal().ShouldBe(0.035m);
            session.Str("usage_from").ShouldBe("metrics");
        }
    }
}
