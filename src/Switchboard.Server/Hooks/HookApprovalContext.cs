using System.Text.Json;
using Switchboard.Core.Approvals;

namespace Switchboard.Server.Hooks;

/// <summary>
/// What a held hook's approval records beyond its one-line summary (docs/approvals.md, "Kinds" and "The whole context"):
/// the tool's whole input (bounded), its folder, and for Claude Code's <c>PermissionRequest</c> the kind (a question for
/// <c>AskUserQuestion</c>, a plan for <c>ExitPlanMode</c>) with its questions or plan, and the rules it offers to
/// remember. Codex and Gemini CLI have no equivalents (docs/hooks.md): their approvals are permissions.
/// </summary>
internal static class HookApprovalContext
{
    /// <summary>The most questions, and options of a question, kept (Claude Code asks 1 to 4, each with 2 to 4).</summary>
    private const int MaxQuestions = ApprovalLimits.MaxQuestions;

    /// <summary>The context of the approval <paramref name="e"/> asks, its <paramref name="input"/> already mended (<see cref="HookInput"/>).</summary>
    public static ApprovalContext Of(HookAgent agent, HookEvent e, JsonElement input)
    {
        var context = new ApprovalContext { Input = ApprovalInput.Bound(input, out var cut), InputTruncated = cut, Cwd = e.Cwd };
        if (agent != HookAgent.ClaudeCode || e.Name != "PermissionRequest")
        {
            return context;
        }

        context = context with { Suggestions = PermissionSuggestions.Read(e.PermissionSuggestions) };
        switch (e.ToolName)
        {
            case "AskUserQuestion" when Questions(input) is { Count: > 0 } questions:
                return context with { Kind = ApprovalKind.Question, Questions = questions };
            case "ExitPlanMode" when input.ValueKind == JsonValueKind.Object && input.TryGetProperty("plan", out var plan) && plan.ValueKind == JsonValueKind.String:
                var text = ApprovalInput.Clip(plan.GetString()!, out var planCut);
                return context with { Kind = ApprovalKind.Plan, Plan = text, InputTruncated = cut || planCut };
            case "ExitPlanMode":
                // tool_input {}: the model wrote no plan file, whose text Claude Code would send as plan (docs/hooks.md).
                // Still a plan to approve or send back; the card says where to read it.
                return context with { Kind = ApprovalKind.Plan };
            default:
                return context;
        }
    }

    /// <summary>
    /// <c>tool_input.questions</c>, normalised; a question without text or without a labelled option is left out (a
    /// person can still deny the approval), so an input with none stays a permission.
    /// </summary>
    private static List<ApprovalQuestion>? Questions(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("questions", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var questions = new List<ApprovalQuestion>();
        foreach (var q in list.EnumerateArray().Take(MaxQuestions))
        {
            if (Text(q, "question") is not { } text || !q.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var choices = options.EnumerateArray().Take(MaxQuestions)
                .Select(o => Text(o, "label") is { } label ? new ApprovalOption(label, Text(o, "description")) : null)
                .OfType<ApprovalOption>().ToList();
            if (choices.Count > 0 && questions.All(other => other.Question != text))
            {
                questions.Add(new ApprovalQuestion(text, Text(q, "header"), choices,
                    q.TryGetProperty("multiSelect", out var multi) && multi.ValueKind == JsonValueKind.True));
            }
        }

        return questions;
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? ApprovalLimits.Clip(s, ApprovalLimits.MaxAnswerLength)
            : null;
}
