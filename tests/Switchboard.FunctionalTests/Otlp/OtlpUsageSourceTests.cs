using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;
using static Switchboard.FunctionalTests.Otlp.OtlpBodies;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>Where a session's usage comes from is the server's alone (issue 55, finding 6): a label decides nothing.</summary>
public sealed class OtlpUsageSourceTests
{
    [Fact]
    public async Task AUsageFromLabelChangesNothingAboutWhatIsCounted()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "SessionStart", "labelled"));
        var patched = await server.Http.PatchAsync("/api/sessions/otel:s:labelled", new { labels = new { usage_from = "metrics" } });
        patched.Status.ShouldBe(200, patched.Body.ToString());

        var agent = Resource(Attr("service.name", "claude-code"), Attr("session.id", "labelled"));
        await PostOkAsync(server.Http, Logs(agent, Log("claude_code.api_request", Attr("event.sequence", 1), Attr("input_tokens", 100), Attr("output_tokens", 10))));

        var session = await OtlpKit.SessionAsync(server.Http, "otel:s:labelled");
        (session.Long("input_tokens"), session.Long("output_tokens")).ShouldBe((100L, 10L), "the events' usage counts whatever a label says");
        session.Str("usage_from").ShouldBe("events");
        session.GetProperty("labels").Str("usage_from").ShouldBe("metrics", "just a label");
    }
}
