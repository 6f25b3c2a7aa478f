using Google.Protobuf;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>An exporter's retry adds nothing, even to a node restarted after <c>kill -9</c>: the keys committed with the events.</summary>
public sealed class OtlpDurabilityTests
{
    [Fact]
    public async Task ABatchSentAgainAfterKill9AndARestartStillAddsNothing()
    {
        using var data = new TempDirectory();
        var body = OtlpKit.ChatSpans(["durable-1", "durable-2"], spansEach: 5, seed: 41).ToByteArray();
        long head;
        await using (var server = await ServerProcess.StartAsync(data.Path, ["--otlp-grpc-urls", ""]))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            (await OtlpKit.PostAsync(http, "/v1/traces", body)).EnsureSuccessStatusCode();
            (await OtlpKit.PostAsync(http, "/v1/traces", body, gzip: true)).EnsureSuccessStatusCode();
            head = await OtlpKit.HeadAsync(http);
            head.ShouldBe(2);
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, ["--otlp-grpc-urls", ""]);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        (await OtlpKit.PostAsync(again, "/v1/traces", body)).EnsureSuccessStatusCode();
        (await OtlpKit.HeadAsync(again)).ShouldBe(head);
        foreach (var id in new[] { "otel:c:durable-1", "otel:c:durable-2" })
        {
            var session = await OtlpKit.SessionAsync(again, id);
            session.Long("input_tokens").ShouldBe(50);
            session.Long("output_tokens").ShouldBe(25);
        }
    }
}
