using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Ids beginning with <c>otel:</c> are the server's (issue 55, finding 1): sessions made from telemetry and hooks, and
/// their continuations. No client creates one, so none can be taken ahead of the agent whose it would be.
/// </summary>
public sealed class ReservedIdTests
{
    [Fact]
    public async Task NoKeyMayCreateASessionWhoseIdBeginsWithOtelAndTheAgentsOwnStillDo()
    {
        await using var keys = await ScopedKeys.StartAsync();

        var ahead = await keys.Red.PostAsync("/api/sessions", new { id = "otel:s2:abc" });
        ahead.ShouldBeProblem(400, "id");
        ahead.Body.Str("detail").ShouldContain("begins with 'otel:', which is reserved for the sessions Switchboard makes from telemetry and hooks");
        (await keys.Admin.PostAsync("/api/sessions", new { id = "otel:s:abc" })).ShouldBeProblem(400, "id");
        var (status, body, _) = await keys.Admin.PostAsync("/api/batch", new
        {
            operations = new object[] { new { op = "create", id = "otel:c:x" }, new { op = "create", id = "not-otel" } },
        });
        status.ShouldBe(200, body.ToString());
        body.GetProperty("results").EnumerateArray().Select(r => r.Long("status")).ShouldBe([400, 201]);
        foreach (var id in new[] { "otel:s2:abc", "otel:s:abc", "otel:c:x" })
        {
            (await keys.Admin.GetJsonAsync("/api/sessions/" + id)).Status.ShouldBe(404, id);
        }

        await HookKit.OkAsync(HookKit.PostAsync(keys.Blue, "claude-code", "SessionStart", "abc"));
        (await OtlpKit.SessionAsync(keys.Admin, "otel:s:abc")).GetProperty("labels").Str("team").ShouldBe("blue");
        (await keys.Blue.PostAsync("/api/sessions", new { id = "blue-child", parent_id = "otel:s:abc" })).Status.ShouldBe(201, "a child of one is no such id");
    }
}
