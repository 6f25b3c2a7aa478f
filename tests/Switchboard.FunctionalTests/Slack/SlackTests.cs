using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Slack;

/// <summary>
/// The Slack app against a fake Slack (a real HTTP server recording <c>chat.postMessage</c> and <c>chat.update</c>): an
/// approval posts a message with Allow, Deny and Open; a click Slack signed, by a Slack user mapped to an operator,
/// answers it as <c>slack:{user}</c> and the message shows the outcome; a forged, replayed or unmapped click changes
/// nothing; an answer from the API updates the message too; agent text cannot ping or disguise a link (docs/slack.md).
/// </summary>
public sealed class SlackTests
{
    private const string AgentKey = "agent-key-0123456789abcdef";
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string Token = "xoxb-test-token";

    [Fact]
    public async Task ASignedClickOfAMappedUserAnswersAsThatUserAndTheMessageShowsTheOutcome()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var server = await StartAsync(slack);
        using var agent = server.HttpWithKey(AgentKey);
        await agent.CreateAsync("deploy", new { state = "working", name = "deploy bot", labels = new { host = "build-7" } });
        var asker = agent.PostAsync("/api/sessions/deploy/approvals?wait=60", new { summary = "Deploy build 42 to production", tool = "Bash" });

        var post = await PostedAsync(slack, "Deploy build 42");
        post.Authorization.ShouldBe("Bearer " + Token);
        post.Body.Str("channel").ShouldBe("#approvals");
        post.Buttons.ShouldBe(["allow", "deny", "open"]);
        post.Text.ShouldContain("deploy bot");
        post.Text.ShouldContain("build-7");
        var open = post.Body.GetProperty("blocks").EnumerateArray().Last().GetProperty("elements")[2];
        open.Str("url").ShouldBe("https://switchboard.example.com/?session=deploy");

        using var anyone = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        var click = await ClickAsync(anyone, Payload("U0ALICE", "allow", post.Value("allow")));
        click.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await click.Content.ReadAsStringAsync());

        var answered = await asker.Within(TestTimeouts.Long);
        answered.Body.Str("state").ShouldBe("allowed");
        answered.Body.Str("answered_by").ShouldBe("slack:U0ALICE");
        var update = await UpdatedAsync(slack);
        update.Body.Str("ts").ShouldBe(post.Ts);
        update.Body.Str("channel").ShouldBe(FakeSlack.ChannelId);
        update.Text.ShouldContain("Allowed");
        update.Text.ShouldContain("alice (in Slack)");
        update.Buttons.ShouldBeEmpty("an answered approval keeps no buttons");
    }

    [Fact]
    public async Task AForgedAReplayedAndAnUnmappedClickAreRefusedAndChangeNothingWhileAnApiAnswerUpdatesTheMessage()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var server = await StartAsync(slack);
        using var agent = server.HttpWithKey(AgentKey);
        using var ops = server.HttpWithKey(OpsKey);
        await agent.CreateAsync("cleanup", new { state = "working" });
        var id = (await agent.PostAsync("/api/sessions/cleanup/approvals", new { summary = "rm -rf build" })).Body.Str("id");
        var post = await PostedAsync(slack, "rm -rf build");
        var head = await ops.HeadAsync();
        using var anyone = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        var allow = Payload("U0ALICE", "allow", post.Value("allow"));

        var forged = await ClickAsync(anyone, allow, secret: "not-the-signing-secret");
        await ShouldBeProblemAsync(forged, 401, "invalid_signature");
        var replayed = await ClickAsync(anyone, allow, at: DateTimeOffset.UtcNow.AddMinutes(-6));
        await ShouldBeProblemAsync(replayed, 401, "invalid_signature", "old");
        var unmapped = await ClickAsync(anyone, Payload("U0MALLORY", "allow", post.Value("allow")));
        await ShouldBeProblemAsync(unmapped, 403, "not_an_operator", "U0MALLORY");
        var unsigned = await anyone.PostAsync("/v1/slack/interactions", Form(allow));
        await ShouldBeProblemAsync(unsigned, 401, "invalid_signature");

        (await ops.HeadAsync()).ShouldBe(head, "a refused click writes nothing");
        (await ops.GetJsonAsync($"/api/sessions/cleanup/approvals/{id}")).Body.Str("state").ShouldBe("pending");
        var answered = await ops.PostAsync($"/api/sessions/cleanup/approvals/{id}", new { decision = "deny", note = "not today" });
        answered.Status.ShouldBe(200, answered.Body.ToString());
        var update = await UpdatedAsync(slack);
        update.Text.ShouldContain("Denied");
        update.Text.ShouldContain("*Denied* by @\u2060ops", Case.Sensitive, "the key's name, its @ kept from reading as a mention");
        update.Text.ShouldContain("not today");
        slack.Updates.Count.ShouldBe(1, "the refused clicks updated nothing; the API's answer did, once");
    }

    [Fact]
    public async Task AgentTextCannotPingTheChannelOrDisguiseALink()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var server = await StartAsync(slack);
        using var agent = server.HttpWithKey(AgentKey);
        await agent.CreateAsync("evil", new { state = "working", name = "<!here> bot" });
        await agent.PostAsync("/api/sessions/evil/approvals", new { summary = "curl <https://evil.example|docs.example.com> & tell <!channel>" });

        var post = await PostedAsync(slack, "curl");
        post.Text.ShouldContain("curl &lt;https://evil.example|docs.example.com&gt; &amp; tell &lt;!channel&gt;");
        post.Text.ShouldContain("&lt;!here&gt; bot");
        post.Text.ShouldNotContain("<!channel>");
        post.Text.ShouldNotContain("<!here>");
        post.Text.ShouldNotContain("<https://evil");
    }

    [Fact]
    public async Task ARateLimitedPostIsSentAgainAfterSlacksRetryAfter()
    {
        await using var slack = await FakeSlack.StartAsync();
        slack.RateLimitedCalls = 1;
        await using var server = await StartAsync(slack);
        using var agent = server.HttpWithKey(AgentKey);
        await agent.CreateAsync("busy", new { state = "working" });
        await agent.PostAsync("/api/sessions/busy/approvals", new { summary = "npm publish" });

        await PostedAsync(slack, "npm publish");
        slack.Calls.Select(c => (c.Method, c.Answered)).ShouldBe([("chat.postMessage", 429), ("chat.postMessage", 200)]);
    }

    [Fact]
    public async Task AQuestionOfOneSingleChoiceIsAnsweredByAClickOnItsOptionAndTheOthersKeepOpenOnly()
    {
        await using var slack = await FakeSlack.StartAsync();
        await using var server = await StartAsync(slack);
        using var agent = server.HttpWithKey(AgentKey);
        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "picks", Question(multiSelect: false, "Which database?")));
        var post = await PostedAsync(slack, "otel:s:picks");
        post.Buttons.ShouldBe(["answer_0", "answer_1", "open"]);
        _ = HookKit.PostAsync(agent, "claude-code", "PermissionRequest", "several", Question(multiSelect: true, "Which extras?")); // held until the server stops
        (await PostedAsync(slack, "otel:s:several")).Buttons.ShouldBe(["open"], "a multiple choice is answered in the dashboard");

        using var anyone = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        var click = await ClickAsync(anyone, Payload("U0ALICE", "answer_1", post.Value("answer_1")));
        click.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await click.Content.ReadAsStringAsync());

        var decision = (await hook.Within(TestTimeouts.Long)).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.Str("behavior").ShouldBe("allow");
        decision.GetProperty("updatedInput").GetProperty("answers").GetProperty("Which database?").GetString().ShouldBe("PostgreSQL");
        decision.GetProperty("updatedInput").GetProperty("questions").GetArrayLength().ShouldBe(1, "the agent's questions go back untouched");
        var approval = (await agent.GetJsonAsync($"/api/sessions/otel:s:picks/approvals/{JsonDocument.Parse(post.Value("answer_1")).RootElement.Str("approval_id")}")).Body;
        approval.Str("answered_by").ShouldBe("slack:U0ALICE");
        var update = await UpdatedAsync(slack);
        update.Body.Str("ts").ShouldBe(post.Ts);
        update.Text.ShouldContain("*Answered* by alice (in Slack): PostgreSQL");
        update.Buttons.ShouldBeEmpty();
    }

    private static object Question(bool multiSelect, string question) => new
    {
        tool_name = "AskUserQuestion",
        tool_input = new
        {
            questions = new object[]
            {
                new { question, header = "Pick", multiSelect, options = new object[] { new { label = "SQLite" }, new { label = "PostgreSQL" } } },
            },
        },
    };

    private static Task<SwitchboardServer> StartAsync(FakeSlack slack) => SwitchboardServer.StartAsync(o =>
    {
        o.Security.AddApiKeys($"@agents {AgentKey}:agent, @ops {OpsKey}");
        o.Slack.BotToken = Token;
        o.Slack.SigningSecret = Secret;
        o.Slack.Channel = "#approvals";
        o.Slack.ApiBaseUrl = slack.ApiBaseUrl;
        o.Slack.DashboardUrl = new Uri("https://switchboard.example.com/");
        o.Slack.Operators["U0ALICE"] = "alice";
    });

    private static async Task<FakeSlack.Call> PostedAsync(FakeSlack slack, string text)
    {
        FakeSlack.Call? post = null;
        await TestTimeouts.Eventually(() => (post = slack.Posts.FirstOrDefault(p => p.Text.Contains(text, StringComparison.Ordinal))) is not null,
            $"a chat.postMessage with '{text}'");
        return post!;
    }

    private static async Task<FakeSlack.Call> UpdatedAsync(FakeSlack slack)
    {
        await TestTimeouts.Eventually(() => slack.Updates.Count > 0, "a chat.update");
        return slack.Updates[0];
    }

    /// <summary>A <c>block_actions</c> payload as Slack sends it for a click on a button of the message.</summary>
    private static string Payload(string user, string action, string value) => JsonSerializer.Serialize(new
    {
        type = "block_actions",
        user = new { id = user, username = user.ToLowerInvariant(), team_id = "T0TEAM" },
        api_app_id = "A0APP",
        container = new { type = "message", channel_id = FakeSlack.ChannelId, message_ts = "1700000000.000001" },
        actions = new[] { new { type = "button", action_id = action, block_id = "switchboard_approval", value, action_ts = "1700000001.000001" } },
        response_url = "https://hooks.slack.com/actions/T0TEAM/1/abc",
    });

    private static FormUrlEncodedContent Form(string payload) => new([new("payload", payload)]);

    /// <summary>Posts the click as Slack does: form-encoded, signed with <paramref name="secret"/> at <paramref name="at"/> (now by default).</summary>
    private static async Task<HttpResponseMessage> ClickAsync(HttpClient http, string payload, string secret = Secret, DateTimeOffset? at = null)
    {
        var body = await Form(payload).ReadAsByteArrayAsync();
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"v0:{timestamp}:").Concat(body).ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/slack/interactions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)));
        return await http.SendAsync(request);
    }

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, int status, string code, string? detail = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var doc = JsonDocument.Parse(text);
        doc.RootElement.Str("code").ShouldBe(code);
        if (detail is not null)
        {
            doc.RootElement.Str("detail").ShouldContain(detail);
        }
    }
}
