using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Switchboard.FunctionalTests.Approvals;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Hooks;

/// <summary>
/// Text an agent sends that is not text: lone surrogate escapes (what Node's <c>JSON.stringify</c> writes for half a
/// pair) and invalid UTF-8, in every field a receiver reads. Cleaned, never refused (docs/security.md): each becomes
/// U+FFFD, and the event is recorded as any other.
/// </summary>
public sealed class HookTextTests
{
    /// <summary>A session id holding U+FFFD is no Switchboard id: it maps to its hash, as any such id does (docs/otel.md).</summary>
    private static readonly string CleanedSession = "otel:s:h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("s\uFFFDx"))[..16]);

    [Theory]
    [InlineData("claude-code", "PreToolUse", "PostToolUse")]
    [InlineData("codex", "PreToolUse", "PostToolUse")]
    [InlineData("gemini-cli", "BeforeTool", "AfterTool")]
    public async Task LoneSurrogatesAndInvalidUtf8InEveryFieldReadBecomeReplacementCharacters(string agent, string before, string after)
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Hooks.Activity = Switchboard.Server.Hooks.Options.HookActivity.Summary);
        var first = await server.Http.PostAsync("/hooks/" + agent, Body(
            $$$"""{"hook_event_name":"{{{before}}}","session_id":"s\ud800x","cwd":"/w/pro~j","tool_name":"Ba\udc00sh","tool_input":{"command":"ls ^ -l \ud83d"}}"""));
        await HookKit.OkAsync(Task.FromResult(first));

        var session = await OtlpKit.SessionAsync(server.Http, CleanedSession);
        session.Str("name").ShouldBe($"{agent} in pro\uFFFDj");
        session.Str("activity").ShouldBe("Ba\uFFFDsh: ls \uFFFD -l \uFFFD");
        session.Str("state").ShouldBe("working");

        // The same id as invalid UTF-8 is cleaned to the same text: the same session.
        await HookKit.OkAsync(server.Http.PostAsync("/hooks/" + agent, Body(
            $$$"""{"hook_event_name":"{{{after}}}","session_id":"s~x","tool_name":"Ba~sh","tool_input":{"command":"ls"}}""")));
        (await OtlpKit.SessionsAsync(server.Http)).ShouldBe([CleanedSession]);
    }

    [Theory]
    [InlineData("claude-code")]
    [InlineData("codex")]
    public async Task APermissionRequestWithSuchTextIsHeldAsAnApprovalAndAnswered(string agent)
    {
        await using var server = await SwitchboardServer.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var hook = client.PostAsync("/hooks/" + agent, Body(
            """{"hook_event_name":"PermissionRequest","session_id":"s~x","cwd":"/w","tool_name":"Ba\ud800sh","tool_input":{"command":"rm ~ \udfff"}}"""));

        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, CleanedSession);
        pending.Str("tool").ShouldBe("Ba\uFFFDsh");
        pending.Str("summary").ShouldBe("Ba\uFFFDsh: rm \uFFFD \uFFFD");
        (await ApprovalKit.SessionAsync(server.Http, CleanedSession)).Str("state").ShouldBe("waiting");
        (await server.Http.PostAsync($"/api/sessions/{CleanedSession}/approvals/{pending.Str("id")}", new { decision = "allow" })).Status.ShouldBe(200);

        var response = await hook.Within();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var verdict = (await HookKit.OkAsync(Task.FromResult(response))).GetProperty("hookSpecificOutput");
        verdict.GetProperty("decision").Str("behavior").ShouldBe("allow");
        (await ApprovalKit.SessionAsync(server.Http, CleanedSession)).Str("state").ShouldBe("working");
    }

    /// <summary>
    /// <paramref name="json"/> as UTF-8, except that '~' stands for the byte 0xFF and '^' for 0xC3 (a sequence cut short):
    /// neither is UTF-8 where it stands.
    /// </summary>
    private static ByteArrayContent Body(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json).Select(b => b switch { (byte)'~' => (byte)0xFF, (byte)'^' => (byte)0xC3, _ => b }).ToArray();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
