using System.Text.Json;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Approvals;

/// <summary>Claude Code's <c>PermissionRequest</c>s of each kind of approval (issue 58), as the agent sends them.</summary>
internal static class ApprovalKinds
{
    public const string Which = "Which database?";
    public const string Extras = "Which extras?";

    /// <summary>An <c>AskUserQuestion</c> of two questions, one a multiple choice, with a field of Claude Code's own beside them.</summary>
    public static readonly object Question = new
    {
        tool_name = "AskUserQuestion",
        cwd = "/home/dev/repo2",
        tool_input = new
        {
            questions = new object[]
            {
                new
                {
                    question = Which, header = "DB", multiSelect = false,
                    options = new object[] { new { label = "SQLite", description = "embedded" }, new { label = "PostgreSQL", description = "a server" } },
                },
                new
                {
                    question = Extras, header = "Extras", multiSelect = true,
                    options = new object[] { new { label = "Metrics" }, new { label = "Tracing" } },
                },
            },
            metadata = new { source = "model" },
        },
        permission_suggestions = Array.Empty<object>(),
    };

    /// <summary>A Bash call with the two suggestions Claude Code offers for it.</summary>
    public static readonly object BashWithSuggestions = new
    {
        tool_name = "Bash",
        tool_input = new { command = "npm test", description = "Run the tests" },
        permission_suggestions = new object[]
        {
            new { type = "addRules", rules = new object[] { new { toolName = "Bash", ruleContent = "npm test" } }, behavior = "allow", destination = "localSettings" },
            new { type = "setMode", mode = "acceptEdits", destination = "session" },
        },
    };

    /// <summary>An <c>ExitPlanMode</c> with its plan, as Claude Code fills it from the plan file the model wrote.</summary>
    public static object Plan(string plan) =>
        new { tool_name = "ExitPlanMode", tool_input = new { plan, planFilePath = "/home/dev/.claude/plans/add-the-table.md" } };

    /// <summary>Posts the held hook (its answer comes when the approval ends) and returns it with the pending approval it raised.</summary>
    public static async Task<(Task<JsonElement> Hook, JsonElement Approval)> HoldAsync(SwitchboardServer server, HttpClient agent, string session, object fields)
    {
        var hook = HookKit.OkAsync(HookKit.PostAsync(agent, "claude-code", "PermissionRequest", session, fields));
        var pending = await ApprovalKit.WaitForPendingAsync(server.Http, "otel:s:" + session);
        return (hook, pending);
    }

    /// <summary>The <c>hookSpecificOutput.decision</c> of a held hook's answer.</summary>
    public static async Task<JsonElement> DecisionAsync(Task<JsonElement> hook) =>
        (await hook.Within()).GetProperty("hookSpecificOutput").GetProperty("decision");
}
