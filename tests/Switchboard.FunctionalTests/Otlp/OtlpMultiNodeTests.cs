using Google.Protobuf;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>Two real nodes on one PostgreSQL database share the dedupe state: one conversation's spans, sent to both, count once.</summary>
public sealed class OtlpMultiNodeTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task SpansOfOneConversationSentAlternatelyToTwoNodesMakeOneSessionWithExactUsage()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var nodes = await NodePair.StartAsync(db, environment: new Dictionary<string, string> { ["Switchboard__Otlp__GrpcUrls"] = "" });
        var all = OtlpKit.ChatSpans(["shared"], spansEach: 20, inputTokens: 7, outputTokens: 3, seed: 51);
        var spans = all.ResourceSpans[0].ScopeSpans[0].Spans;
        var requests = new List<(HttpClient Node, byte[] Body)>();
        for (var i = 0; i < spans.Count; i++)
        {
            var one = all.Clone();
            var scope = one.ResourceSpans[0].ScopeSpans[0];
            scope.Spans.Clear();
            scope.Spans.Add(spans[i].Clone());
            var body = one.ToByteArray();
            requests.Add((i % 2 == 0 ? nodes.HttpA : nodes.HttpB, body));
            // Every fourth span is also retried on the other node, as an exporter behind a load balancer would.
            if (i % 4 == 0)
            {
                requests.Add((i % 2 == 0 ? nodes.HttpB : nodes.HttpA, body));
            }
        }

        // Concurrently, so the two nodes' transactions race on the same keys.
        await Task.WhenAll(requests.Select(async r => (await OtlpKit.PostAsync(r.Node, "/v1/traces", r.Body)).EnsureSuccessStatusCode()));

        foreach (var node in new[] { nodes.HttpA, nodes.HttpB })
        {
            var session = await OtlpKit.SessionAsync(node, "otel:c:shared");
            session.GetProperty("input_tokens").GetInt64().ShouldBe(140);
            session.GetProperty("output_tokens").GetInt64().ShouldBe(60);
        }

        var sessions = (await OtlpKit.SessionsAsync(nodes.HttpA)).Where(id => id.StartsWith("otel:", StringComparison.Ordinal)).ToList();
        sessions.ShouldBe(["otel:c:shared"]);
    }
}
