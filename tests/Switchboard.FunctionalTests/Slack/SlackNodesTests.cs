using Microsoft.Extensions.DependencyInjection;
using Switchboard.FunctionalTests.Commands;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Slack;

/// <summary>
/// The Slack app with several nodes, and across a restart (docs/slack.md, "Several nodes"): every node with Slack sees
/// every approval, yet each is posted once and updated once, whichever node saw the answer; a node killed after it
/// claimed a post and before Slack answered leaves it to another node once it is known gone; a message posted before a
/// restart is still updated after it.
/// </summary>
public sealed class SlackNodesTests(PostgresClusterFixture postgres)
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";

    [Fact]
    public async Task TwoNodesOnOnePostgresPostEachApprovalOnceAndUpdateItOnce()
    {
        const int count = 6;
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var slack = await FakeSlack.StartAsync();
        await using var a = await SwitchboardServer.StartAsync(o => Configure(o, slack), store: s => s.UsePostgres(db));
        await using var b = await SwitchboardServer.StartAsync(o => Configure(o, slack), store: s => s.UsePostgres(db));
        var nodes = new[] { a.Http, b.Http };
        var ids = new List<(string Session, string Id)>();
        for (var i = 0; i < count; i++)
        {
            var asker = nodes[i % 2];
            await asker.CreateAsync($"s{i}", new { state = "working" });
            var asked = await asker.PostAsync($"/api/sessions/s{i}/approvals", new { summary = $"deploy build {i}" });
            asked.Response.IsSuccessStatusCode.ShouldBeTrue(asked.Body.ToString());
            ids.Add(($"s{i}", asked.Body.Str("id")));
        }

        await TestTimeouts.Eventually(() => slack.Posts.Count >= count, $"{count} chat.postMessage calls");
        for (var i = 0; i < count; i++)
        {
            var answered = await nodes[(i + 1) % 2].PostAsync($"/api/sessions/{ids[i].Session}/approvals/{ids[i].Id}", new { decision = i % 3 == 0 ? "deny" : "allow" });
            answered.Status.ShouldBe(200, answered.Body.ToString());
        }

        await TestTimeouts.Eventually(() => slack.Updates.Count >= count, $"{count} chat.update calls");
        var posts = slack.Posts;
        posts.Count.ShouldBe(count, "one post per approval, though both nodes saw each: " + string.Join(" | ", posts.Select(p => p.Body.Str("text"))));
        posts.Select(p => p.Body.Str("text")).Distinct().Count().ShouldBe(count);
        var updates = slack.Updates;
        updates.Count.ShouldBe(count, "one update per approval, whichever node saw the answer");
        updates.Select(u => u.Ts).Order().ShouldBe(posts.Select(p => p.Ts).Order(), "each update names a posted message's ts");
    }

    [Fact]
    public async Task ANodeKilledBetweenItsClaimAndSlacksAnswerLeavesThePostToTheOtherNodeOnceItIsGone()
    {
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var slack = await FakeSlack.StartAsync();
        slack.HeldPosts = 1;
        var env = NodeEnvironment(slack);
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        await using var a = await Nodes.StartAsync(dataA, db, environment: env);
        using var httpA = Nodes.Http(a);
        await httpA.CreateAsync("orphan", new { state = "working" });
        var id = (await httpA.PostAsync("/api/sessions/orphan/approvals", new { summary = "terraform apply" })).Body.Str("id");
        await TestTimeouts.Eventually(() => slack.Calls.Any(c => c.Method == "chat.postMessage"), "node A's post to reach Slack");

        await a.KillAsync(); // claimed and sent, never answered: nothing recorded where it went
        await using var b = await Nodes.StartAsync(dataB, db, environment: env);
        using var httpB = Nodes.Http(b);
        await TestTimeouts.Eventually(() => slack.Posts.Count > 0, "node B to post what gone node A claimed", TestTimeouts.Long);
        var post = slack.Posts.Single();
        post.Text.ShouldContain("terraform apply");
        post.Buttons.ShouldBe(["allow", "deny", "open"]);

        (await httpB.PostAsync($"/api/sessions/orphan/approvals/{id}", new { decision = "allow" })).Status.ShouldBe(200);
        await TestTimeouts.Eventually(() => slack.Updates.Count > 0, "the update of node B's message");
        slack.Updates.Single().Ts.ShouldBe(post.Ts);
        slack.Posts.Count.ShouldBe(1);
    }

    [Fact]
    public async Task OnSqliteAMessagePostedBeforeARestartIsUpdatedAfterIt()
    {
        using var data = new TempDirectory();
        await using var slack = await FakeSlack.StartAsync();
        string id;
        await using (var before = await SwitchboardServer.StartAsync(o => Configure(o, slack), dataDirectory: data.Path))
        {
            await before.Http.CreateAsync("restarted", new { state = "working" });
            id = (await before.Http.PostAsync("/api/sessions/restarted/approvals", new { summary = "helm upgrade api" })).Body.Str("id");
            await TestTimeouts.Eventually(() => slack.Posts.Count > 0, "the post before the restart");
        }

        await using var after = await SwitchboardServer.StartAsync(o => Configure(o, slack), dataDirectory: data.Path);
        (await after.Http.PostAsync($"/api/sessions/restarted/approvals/{id}", new { decision = "deny", note = "not during the freeze" })).Status.ShouldBe(200);

        await TestTimeouts.Eventually(() => slack.Updates.Count > 0, "the update after the restart");
        var update = slack.Updates.Single();
        update.Ts.ShouldBe(slack.Posts.Single().Ts);
        update.Text.ShouldContain("not during the freeze");
    }

    private static void Configure(SwitchboardOptions o, FakeSlack slack)
    {
        o.Slack.BotToken = "xoxb-test-token";
        o.Slack.SigningSecret = Secret;
        o.Slack.Channel = "#approvals";
        o.Slack.ApiBaseUrl = slack.ApiBaseUrl;
        o.Slack.DashboardUrl = new Uri("https://switchboard.example.com/");
        o.Slack.Operators["U0ALICE"] = "alice";
    }

    private static Dictionary<string, string> NodeEnvironment(FakeSlack slack) => new()
    {
        ["Switchboard__Slack__BotToken"] = "xoxb-test-token",
        ["Switchboard__Slack__SigningSecret"] = Secret,
        ["Switchboard__Slack__Channel"] = "#approvals",
        ["Switchboard__Slack__ApiBaseUrl"] = slack.ApiBaseUrl.AbsoluteUri,
        ["Switchboard__Slack__DashboardUrl"] = "https://switchboard.example.com/",
        ["Switchboard__Slack__Operators__U0ALICE"] = "alice",
        // A killed node is known gone 5 s after its last renewal.
        ["Switchboard__Postgres__PresenceLiveness"] = "00:00:05",
        ["Switchboard__Postgres__PresenceRenewInterval"] = "00:00:01",
    };
}
