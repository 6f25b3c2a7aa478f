using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// Agent trees from spans, with the OpenTelemetry .NET SDK's exporter: a planner agent whose tool runs a researcher agent
/// (its own conversation) makes the researcher's session a child of the planner's, whether the researcher's spans are
/// exported long before the planner's span that started it or in the same request; live subtree subscribers of the
/// planner see the researcher join with its totals.
/// </summary>
public sealed class OtlpTreeTests
{
    /// <summary>How the researcher's spans reach the server relative to the planner's span that started it.</summary>
    public enum Order
    {
        /// <summary>Exported while the tool span that runs it is still open (the usual order: spans are sent when they end).</summary>
        ChildFirst,

        /// <summary>Everything in one export request.</summary>
        OneRequest,

        /// <summary>Started in the background by a tool span that ended (and was exported) before it.</summary>
        ParentFirst,
    }

    [Theory]
    [InlineData(Order.ChildFirst)]
    [InlineData(Order.OneRequest)]
    [InlineData(Order.ParentFirst)]
    public async Task ASubAgentStartedFromAToolBecomesAChildOfItsParentAgentsSession(Order order)
    {
        await using var server = await SwitchboardServer.StartAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var (planner, researcher) = ($"otel:c:plan-{run}", $"otel:c:research-{run}");
        using var source = new ActivitySource("switchboard-tree-tests-" + run);
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(r => r.AddService("travel-agent"))
            .AddSource(source.Name)
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(server.BaseAddress, "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 600_000; // only the test's flushes export
            })
            .Build();

        await using var watcher = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        // Flushes, then waits until the server has answered for the spans ended so far (ForceFlush can return earlier).
        async Task FlushAsync(int spansSoFar)
        {
            provider.ForceFlush(30_000).ShouldBeTrue();
            await OtlpKit.ExportedAsync(server.Http, 0, spansSoFar);
        }

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            using var plan = Agent(source, "planner", $"plan-{run}", default);
            OtlpKit.Chat(source, $"plan-{run}", 50, 5);
            if (order != Order.OneRequest)
            {
                await FlushAsync(1); // the planner's model call; its agent span is still open
                (await watcher.JoinAsync($"session:{planner}", new { subtree = true })).Status.ShouldBe("ok");
            }

            ActivityContext started;
            using (var tool = source.StartActivity("execute_tool research", ActivityKind.Internal)!)
            {
                tool.SetTag("gen_ai.operation.name", "execute_tool");
                tool.SetTag("gen_ai.tool.name", "research");
                tool.SetTag("gen_ai.conversation.id", $"plan-{run}");
                started = tool.Context;
                if (order != Order.ParentFirst)
                {
                    Research(source, run, default);
                }

                if (order == Order.ChildFirst)
                {
                    // The researcher's spans reach the server while the tool and planner spans that started it are still open.
                    await FlushAsync(4); // and the researcher's agent span with its two model calls
                    var early = await OtlpKit.SessionAsync(server.Http, researcher);
                    early.GetProperty("parent_id").ValueKind.ShouldBe(JsonValueKind.Null, "the span that started it has not arrived");
                }
            }

            if (order == Order.ParentFirst)
            {
                await FlushAsync(2); // the tool span is in before the researcher starts
                Research(source, run, started);
            }
        }
        finally
        {
            Activity.Current = previous;
        }

        await FlushAsync(6); // both agents' spans, their three model calls and the tool span

        var child = await OtlpKit.SessionAsync(server.Http, researcher);
        (child.Str("parent_id"), child.Str("root_id"), child.GetProperty("depth").GetInt32()).ShouldBe((planner, planner, 1));
        child.GetProperty("input_tokens").GetInt64().ShouldBe(500);
        var parent = await OtlpKit.SessionAsync(server.Http, planner);
        parent.GetProperty("input_tokens").GetInt64().ShouldBe(50);
        var subtree = parent.GetProperty("subtree");
        (subtree.GetProperty("sessions").GetInt64(), subtree.GetProperty("input_tokens").GetInt64(), subtree.GetProperty("output_tokens").GetInt64())
            .ShouldBe((2L, 550L, 55L));
        var (status, children, _) = await server.Http.GetJsonAsync($"/api/sessions/{planner}/children");
        status.ShouldBe(200);
        children.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ShouldBe([researcher]);

        var events = await EventsAsync(server, researcher);
        if (order == Order.ChildFirst)
        {
            // Created as a root, then moved once: the move names its new place and carries its totals to the planner.
            events.Select(e => e.Str("type")).ShouldBe(["session_created", "session_updated"]);
            var moved = events[1].GetProperty("data");
            moved.Str("reason").ShouldBe("adopted");
            moved.GetProperty("changes").Str("parent_id").ShouldBe(planner);
            moved.GetProperty("ancestors").EnumerateArray().Select(a => a.GetString()).ShouldBe([planner]);

            var live = await watcher.WaitForAsync(f => f.Event == "session_updated" && f.Payload.Str("session_id") == researcher);
            live.Payload.GetProperty("data").GetProperty("subtree_delta").GetProperty("input_tokens").GetInt64().ShouldBe(500,
                "a live subtree view of the planner adds the researcher's totals");
        }
        else
        {
            // The planner's span that started it was known (same request, or earlier): created in its place, one event.
            events.Select(e => e.Str("type")).ShouldBe(["session_created"]);
            events[0].GetProperty("data").GetProperty("session").Str("parent_id").ShouldBe(planner);
            if (order == Order.ParentFirst)
            {
                var live = await watcher.WaitForAsync(f => f.Event == "session_created" && f.Payload.Str("session_id") == researcher);
                live.Payload.GetProperty("data").GetProperty("ancestors").EnumerateArray().Select(a => a.GetString()).ShouldBe([planner]);
            }
        }
    }

    /// <summary>The researcher's run: its agent span (under <paramref name="parent"/>, else the current span) and two model calls.</summary>
    private static void Research(ActivitySource source, string run, ActivityContext parent)
    {
        using (Agent(source, "researcher", $"research-{run}", parent))
        {
            OtlpKit.Chat(source, $"research-{run}", 300, 30);
            OtlpKit.Chat(source, $"research-{run}", 200, 20);
        }
    }

    private static Activity Agent(ActivitySource source, string name, string conversation, ActivityContext parent)
    {
        var agent = (parent == default
            ? source.StartActivity($"invoke_agent {name}", ActivityKind.Internal)
            : source.StartActivity($"invoke_agent {name}", ActivityKind.Internal, parent))!;
        agent.SetTag("gen_ai.operation.name", "invoke_agent");
        agent.SetTag("gen_ai.agent.name", name);
        agent.SetTag("gen_ai.conversation.id", conversation);
        return agent;
    }

    private static async Task<List<JsonElement>> EventsAsync(SwitchboardServer server, string sessionId)
    {
        var (status, body, _) = await server.Http.GetJsonAsync($"/api/events?since=0&session_id={Uri.EscapeDataString(sessionId)}");
        status.ShouldBe(200, body.ToString());
        return [.. body.GetProperty("events").EnumerateArray()];
    }
}
