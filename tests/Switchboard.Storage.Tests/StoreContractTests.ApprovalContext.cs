using Switchboard.Core.Approvals;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Storage.Tests;

/// <summary>
/// An approval's context and answer on every store (issue 58): the kind, the tool's input, the questions, the plan, the
/// suggestions and the folder round-trip through the row and its event, as do a question's answers, a deny's interrupt
/// and an applied suggestion; an answer that does not fit its approval is refused and changes nothing.
/// </summary>
public abstract partial class StoreContractTests
{
    private static readonly ApprovalContext QuestionContext = new()
    {
        Kind = ApprovalKind.Question,
        Input = """{"questions":[{"question":"Which database?","header":"DB","options":[{"label":"SQLite","description":"embedded"},{"label":"PostgreSQL"}],"multiSelect":false}]}""",
        Questions = [new("Which database?", "DB", [new("SQLite", "embedded"), new("PostgreSQL", null)], MultiSelect: false)],
        Suggestions = [new("Allow Bash(npm test) for this session", "session",
            """{"type":"addRules","rules":[{"toolName":"Bash","ruleContent":"npm test"}],"behavior":"allow","destination":"session"}""")],
        Cwd = "/home/me/repo",
    };

    [Fact]
    public async Task AnApprovalsContextAndAnswerRoundTripThroughTheStoreAndItsEvents()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var question = Ask("s1", "AskUserQuestion: Which database?") with { Context = QuestionContext };
        var plan = Ask("s1", "ExitPlanMode") with
        {
            Context = new() { Kind = ApprovalKind.Plan, Input = """{"plan":"# Plan\n1. é ✓"}""", InputTruncated = true, Plan = "# Plan\n1. é ✓" },
        };
        await store.WriteAsync([question, plan], CancellationToken.None);

        var answers = new Dictionary<string, string> { ["Which database?"] = "PostgreSQL" };
        var answered = await WriteOne(store, new AnswerApproval("s1", question.Id, Allow: true, null, "k") { Answers = answers });
        answered.Error.ShouldBeNull();
        var denied = await WriteOne(store, new AnswerApproval("s1", plan.Id, Allow: false, "keep it smaller", "k") { Interrupt = true });
        denied.Error.ShouldBeNull();
        ApprovalJson.Read(System.Text.Encoding.UTF8.GetString(denied.Event!.Data.Span)[("{\"approval\":".Length)..^1]).Interrupt.ShouldBe(true, "the event's data carries it");

        await CloseAsync(store);
        var reopened = (IRequestStore<Approval, ApprovalState>)await OpenAsync();
        var q = (await reopened.GetAsync(question.Id, CancellationToken.None)).ShouldNotBeNull();
        q.Kind.ShouldBe(ApprovalKind.Question);
        q.Input.ShouldBe(QuestionContext.Input);
        q.Questions.ShouldNotBeNull().Single().ShouldBe(QuestionContext.Questions![0] with { Options = q.Questions![0].Options });
        q.Questions[0].Options.ShouldBe(QuestionContext.Questions[0].Options);
        q.Suggestions.ShouldBe(QuestionContext.Suggestions);
        q.Cwd.ShouldBe("/home/me/repo");
        q.Answers.ShouldBe(answers);
        (q.State, q.Interrupt, q.AppliedSuggestion, q.Plan).ShouldBe((ApprovalState.Allowed, (bool?)null, (int?)null, (string?)null));
        var p = (await reopened.GetAsync(plan.Id, CancellationToken.None)).ShouldNotBeNull();
        (p.Kind, p.Plan, p.InputTruncated, p.Interrupt, p.Note, p.Questions).ShouldBe((ApprovalKind.Plan, "# Plan\n1. é ✓", true, (bool?)true, "keep it smaller", null));
        p.Suggestions.ShouldBeEmpty();
    }

    [Fact]
    public async Task AnAnswerThatDoesNotFitItsApprovalIsRefusedAndChangesNothing()
    {
        var store = await OpenAsync();
        await WriteOne(store, new CreateSession { Id = "s1" });
        var question = Ask("s1", "AskUserQuestion: Which database?") with { Context = QuestionContext };
        var permission = Ask("s1", "Bash: npm test");
        await store.WriteAsync([question, permission], CancellationToken.None);
        var head = (await store.LoadStateAsync(CancellationToken.None)).HeadSeq;

        (string Field, AnswerApproval Answer)[] misfits =
        [
            ("decision", new AnswerApproval("s1", question.Id, Allow: true, null, "k")),
            ("answers", new AnswerApproval("s1", question.Id, Allow: true, null, "k") { Answers = new Dictionary<string, string> { ["Which DB?"] = "SQLite" } }),
            ("answers", new AnswerApproval("s1", question.Id, Allow: true, null, "k")
                { Answers = new Dictionary<string, string> { ["Which database?"] = "SQLite", ["And?"] = "x" } }),
            ("decision", new AnswerApproval("s1", permission.Id, Allow: true, null, "k") { Answers = new Dictionary<string, string> { ["Which database?"] = "SQLite" } }),
            ("suggestion", new AnswerApproval("s1", permission.Id, Allow: true, null, "k") { Suggestion = 0 }),
            ("suggestion", new AnswerApproval("s1", question.Id, Allow: false, null, "k") { Suggestion = 1 }),
        ];
        foreach (var (field, answer) in misfits)
        {
            var refused = (await WriteOne(store, answer)).Error.ShouldNotBeNull(field);
            (refused.Code, refused.Field).ShouldBe(("invalid_field", field), refused.Detail);
        }

        (await store.LoadStateAsync(CancellationToken.None)).HeadSeq.ShouldBe(head, "a refused answer writes nothing");
        var approvals = (IRequestStore<Approval, ApprovalState>)store;
        (await approvals.ListAsync("s1", [ApprovalState.Pending], 10, CancellationToken.None)).Count.ShouldBe(2);
        var allowed = await WriteOne(store, new AnswerApproval("s1", question.Id, Allow: true, null, "k")
            { Answers = new Dictionary<string, string> { ["Which database?"] = "SQLite" } });
        allowed.Approval.ShouldNotBeNull().State.ShouldBe(ApprovalState.Allowed);
    }
}
