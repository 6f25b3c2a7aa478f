using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Testing;

namespace Switchboard.Client.Tests;

/// <summary>
/// What a Claude Code hook's approval carries, typed in the SDK (its kind, questions, suggestions, input, folder), and the
/// answers only the typed <see cref="ApprovalAnswer"/> can give, against a real server and its real hook endpoint: the
/// hook's answer is what the agent would read.
/// </summary>
public sealed class ApprovalAnswerClientTests(ClientServerFixture fixture) : IClassFixture<ClientServerFixture>
{
    private static readonly JsonArray NpmTestSuggestion = JsonNode.Parse(
        """[{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test *"}],"behavior":"allow","destination":"localSettings"}]""")!.AsArray();

    private SwitchboardClient Client => fixture.Client;

    [Fact]
    public async Task AQuestionIsTypedAndAnsweredWithTheChosenLabelWhichTheHookHandsBackBesideTheQuestions()
    {
        var agent = ClientServerFixture.NewId("asks");
        var input = ClaudeCodeHookPost.Question("Which color?", "Color", "Blue", "Red");
        var hook = ClaudeCodeHookPost.PermissionRequestAsync(fixture.Server.BaseAddress, agent, "AskUserQuestion", input);
        var pending = await PendingAsync("otel:s:" + agent);

        pending.Kind.ShouldBe(ApprovalKind.Question);
        var question = pending.Questions.ShouldHaveSingleItem();
        question.ShouldBe(question with { Question = "Which color?", Header = "Color", MultiSelect = false });
        question.Options.ShouldBe([new ApprovalOption("Blue", "Choose Blue"), new ApprovalOption("Red", "Choose Red")]);
        pending.Input!.Value.GetProperty("questions")[0].GetProperty("question").GetString().ShouldBe("Which color?");
        pending.InputTruncated.ShouldBeFalse();
        pending.Cwd.ShouldBe("/work/repo");
        pending.Plan.ShouldBeNull();
        pending.Suggestions.ShouldBeEmpty();

        var allow = await Should.ThrowAsync<SwitchboardApiException>(() => Client.AnswerApprovalAsync(pending.SessionId, pending.Id, ApprovalAnswer.Allow()));
        allow.StatusCode.ShouldBe(400, "a question is answered, not allowed");
        hook.IsCompleted.ShouldBeFalse("a refused answer changes nothing");

        var answered = await Client.AnswerApprovalAsync(pending.SessionId, pending.Id,
            ApprovalAnswer.Answer(new Dictionary<string, string> { ["Which color?"] = "Red" }));
        answered.State.ShouldBe(ApprovalState.Allowed);
        answered.Answers.ShouldBe(new Dictionary<string, string> { ["Which color?"] = "Red" });

        var decision = (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.GetProperty("behavior").GetString().ShouldBe("allow");
        var updated = decision.GetProperty("updatedInput");
        updated.GetProperty("answers").GetProperty("Which color?").GetString().ShouldBe("Red");
        JsonNode.DeepEquals(JsonNode.Parse(updated.GetProperty("questions").GetRawText()), input["questions"]).ShouldBeTrue("the questions go back untouched");
    }

    [Fact]
    public async Task AnAllowWithASuggestionHandsTheAgentsOwnRuleBack()
    {
        var agent = ClientServerFixture.NewId("always");
        var hook = ClaudeCodeHookPost.PermissionRequestAsync(fixture.Server.BaseAddress, agent, "Bash", new JsonObject { ["command"] = "npm test" },
            NpmTestSuggestion);
        var pending = await PendingAsync("otel:s:" + agent);

        pending.Kind.ShouldBe(ApprovalKind.Permission);
        pending.Questions.ShouldBeNull();
        var suggestion = pending.Suggestions.ShouldHaveSingleItem();
        suggestion.Scope.ShouldBe(ApprovalSuggestionScope.Local);
        suggestion.Label.ShouldNotBeNullOrWhiteSpace();
        JsonNode.DeepEquals(JsonNode.Parse(suggestion.Permission.GetRawText()), NpmTestSuggestion[0]).ShouldBeTrue("kept verbatim");

        var answered = await Client.AnswerApprovalAsync(pending.SessionId, pending.Id, ApprovalAnswer.Allow(suggestion: 0));
        answered.State.ShouldBe(ApprovalState.Allowed);
        answered.AppliedSuggestion.ShouldBe(0);

        var decision = (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.GetProperty("behavior").GetString().ShouldBe("allow");
        JsonNode.DeepEquals(JsonNode.Parse(decision.GetProperty("updatedPermissions").GetRawText()), NpmTestSuggestion).ShouldBeTrue();
    }

    [Fact]
    public async Task ADenyWithANoteAndInterruptTellsTheAgentWhyAndStopsIt()
    {
        var agent = ClientServerFixture.NewId("denied");
        var hook = ClaudeCodeHookPost.PermissionRequestAsync(fixture.Server.BaseAddress, agent, "Bash", new JsonObject { ["command"] = "rm -rf build" });
        var pending = await PendingAsync("otel:s:" + agent);

        var answered = await Client.AnswerApprovalAsync(pending.SessionId, pending.Id, ApprovalAnswer.Deny("use make clean", interrupt: true));
        answered.State.ShouldBe(ApprovalState.Denied);
        answered.Note.ShouldBe("use make clean");
        answered.Interrupt.ShouldBe(true);
        var read = await Client.GetApprovalAsync(pending.SessionId, pending.Id);
        (read.State, read.Note, read.Interrupt).ShouldBe((ApprovalState.Denied, "use make clean", (bool?)true), "read back the same");

        var decision = (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
        decision.GetProperty("behavior").GetString().ShouldBe("deny");
        decision.GetProperty("message").GetString().ShouldBe("Denied by the operator (Switchboard): use make clean");
        decision.GetProperty("interrupt").GetBoolean().ShouldBeTrue();
    }

    private async Task<Approval> PendingAsync(string sessionId)
    {
        Approval? pending = null;
        await TestTimeouts.Eventually(async () =>
        {
            try
            {
                return (pending = (await Client.ListApprovalsAsync(sessionId, [ApprovalState.Pending])).FirstOrDefault()) is not null;
            }
            catch (SwitchboardApiException ex) when (ex.StatusCode == 404)
            {
                return false; // the hook has not reached the server yet
            }
        }, "the hook's approval to be pending");
        return pending!;
    }
}
