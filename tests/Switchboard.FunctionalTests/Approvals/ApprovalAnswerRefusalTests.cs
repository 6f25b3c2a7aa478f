using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>
/// Every misuse of the answer's fields (docs/approvals.md, "Answering") is a 400 problem naming the field and how to fix
/// it, on every store, and changes nothing: the log's head, the approval and the held hook stay as they were.
/// </summary>
public sealed class ApprovalAnswerRefusalTests(PostgresClusterFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task EachMisuseOfAnAnswerIs400NamingTheFieldAndChangesNothing(string store)
    {
        await using var server = await EitherStore.StartAsync(postgres, store, _ => { });
        using var agent = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Long };
        var (questionHook, question) = await ApprovalKinds.HoldAsync(server, agent, "q", ApprovalKinds.Question);
        var (bashHook, bash) = await ApprovalKinds.HoldAsync(server, agent, "b", ApprovalKinds.BashWithSuggestions);
        var both = new Dictionary<string, string> { [ApprovalKinds.Which] = "SQLite", [ApprovalKinds.Extras] = "Metrics" };
        var q = $"/api/sessions/otel:s:q/approvals/{question.Str("id")}";
        var b = $"/api/sessions/otel:s:b/approvals/{bash.Str("id")}";

        (string Path, object Body, string Field, string Says)[] misuses =
        [
            (q, new { decision = "allow" }, "decision", "is a question: answer it with"),
            (q, new { decision = "maybe" }, "decision", "must be allow, deny or answer"),
            (q, new { decision = "answer" }, "answers", "'answers' is required"),
            (q, new { decision = "allow", answers = both }, "answers", "go with \"decision\": \"answer\""),
            (q, new { decision = "deny", answers = both }, "answers", "go with \"decision\": \"answer\""),
            (q, new { decision = "answer", answers = "SQLite" }, "answers", "must be an object"),
            (q, new { decision = "answer", answers = new Dictionary<string, int> { [ApprovalKinds.Which] = 1 } }, "answers", "must be a string"),
            (q, new { decision = "answer", answers = new Dictionary<string, string> { [ApprovalKinds.Which] = "SQLite" } }, "answers", "has no answer to 'Which extras?'"),
            (q, new { decision = "answer", answers = new Dictionary<string, string>(both) { ["Which color?"] = "red" } }, "answers", "names 'Which color?'"),
            (q, new { decision = "answer", answers = new Dictionary<string, string>(both) { [ApprovalKinds.Which] = " " } }, "answers", "is empty"),
            (q, new { decision = "answer", answers = new Dictionary<string, string>(both) { [ApprovalKinds.Which] = new string('x', 2001) } }, "answers", "at most 2000"),
            (q, new { decision = "answer", answers = both, interrupt = true }, "interrupt", "send it with \"decision\": \"deny\""),
            (q, new { decision = "answer", answers = both, suggestion = 0 }, "suggestion", "send it with \"decision\": \"allow\""),
            (q, new { decision = "deny", note = new string('n', 2001) }, "note", "at most 2000"),
            (b, new { decision = "deny", suggestion = 0 }, "suggestion", "send it with \"decision\": \"allow\""),
            (b, new { decision = "allow", interrupt = true }, "interrupt", "send it with \"decision\": \"deny\""),
            (b, new { decision = "allow", suggestion = 2 }, "suggestion", "offers 2 (0 to 1)"),
            (b, new { decision = "allow", suggestion = -1 }, "suggestion", "from 0"),
            (b, new { decision = "answer", answers = both }, "decision", "is a permission, not a question"),
            (b, new { decision = "allow", suggested = 0 }, "suggested", "Did you mean 'suggestion'?"),
        ];

        var head = (await server.Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq");
        var before = (await server.Http.GetJsonAsync(q)).Body.GetRawText() + (await server.Http.GetJsonAsync(b)).Body.GetRawText();
        foreach (var (path, body, field, says) in misuses)
        {
            var refused = await server.Http.PostAsync(path, body);
            refused.ShouldBeProblem(400, field);
            refused.Body.Str("detail").ShouldContain(says, Case.Sensitive, JsonSerializer.Serialize(body));
        }

        (await server.Http.GetJsonAsync("/api/events?since=0")).Body.Long("head_seq").ShouldBe(head, "a refused answer writes nothing");
        ((await server.Http.GetJsonAsync(q)).Body.GetRawText() + (await server.Http.GetJsonAsync(b)).Body.GetRawText()).ShouldBe(before);
        questionHook.IsCompleted.ShouldBeFalse("the agents are still held");
        bashHook.IsCompleted.ShouldBeFalse();

        // The same approvals then take a right answer.
        (await server.Http.PostAsync(q, new { decision = "deny", note = "not now", interrupt = true })).Status.ShouldBe(200);
        (await ApprovalKinds.DecisionAsync(questionHook)).GetProperty("interrupt").GetBoolean().ShouldBeTrue("a question may be denied, and stopped");
        (await server.Http.PostAsync(b, new { decision = "allow", suggestion = 1 })).Status.ShouldBe(200);
        (await ApprovalKinds.DecisionAsync(bashHook)).GetProperty("updatedPermissions")[0].Str("mode").ShouldBe("acceptEdits");
    }
}
