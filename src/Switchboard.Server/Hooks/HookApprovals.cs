using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.Core.Approvals;
using Switchboard.Server.Hooks.Options;

namespace Switchboard.Server.Hooks;

/// <summary>
/// Which hook events ask a person (docs/approvals.md, "From the agents' hooks"), what the approval says, and the answer
/// in each agent's own format: Claude Code's and Codex's <c>PermissionRequest</c>; and, for the tools named in
/// <c>Switchboard:Hooks:ApprovalTools</c>, Claude Code's and Codex's <c>PreToolUse</c> and Gemini CLI's <c>BeforeTool</c>.
/// </summary>
internal static class HookApprovals
{
    /// <summary>True when <paramref name="e"/> becomes an approval under <paramref name="options"/>.</summary>
    public static bool Asks(HookAgent agent, HookEvent e, HooksOptions options)
    {
        if (e.ToolName is not { } tool)
        {
            return false;
        }

        if (e.Name == "PermissionRequest" && agent is HookAgent.ClaudeCode or HookAgent.Codex)
        {
            return true;
        }

        return HookAnswers.IsBeforeTool(agent, e.Name) && options.ApprovalTools.Contains(tool, StringComparer.Ordinal);
    }

    /// <summary>
    /// What a person reads to decide: <c>Tool: detail</c>, the detail being a file tool's path (never its content) or else
    /// the command, pattern, URL or query, on one line; at most <see cref="ApprovalLimits.MaxSummaryLength"/> characters.
    /// The tool's name alone when the input has none of these.
    /// </summary>
    public static string Summary(string tool, JsonElement input)
    {
        var detail = HoldPolicy.Subject(input, ApprovalLimits.MaxSummaryLength * 2, out _);
        var line = detail is null ? tool : $"{tool}: {string.Join(' ', detail.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}";
        return ApprovalLimits.Clip(line);
    }

    /// <summary>
    /// The hook's answer for an approval that ended: allowed or denied in the agent's format; expired (or withdrawn, or not
    /// held) with no decision, so the agent follows its own rules, unless <see cref="HookApprovalFallback.Deny"/> is set.
    /// An allow with an applied suggestion remembers it (Claude Code's <c>updatedPermissions</c>); a question's answers
    /// go back in <c>updatedInput</c>, the agent's <paramref name="input"/> with its questions untouched plus
    /// <c>answers</c>, and a plan's approval as that input unchanged; a deny with <c>interrupt</c> also stops the agent
    /// (<see cref="HookAnswers.Stop"/>).
    /// </summary>
    public static string Answer(HookAgent agent, string hookEvent, Approval? approval, HookApprovalFallback fallback, JsonElement input = default)
    {
        var allow = approval?.State switch
        {
            ApprovalState.Allowed => true,
            ApprovalState.Denied => false,
            _ => fallback == HookApprovalFallback.Deny ? false : (bool?)null,
        };
        if (allow is not { } decision)
        {
            return HookAnswers.None;
        }

        var reason = decision ? "Allowed by the operator (Switchboard)." : approval?.State == ApprovalState.Denied
            ? "Denied by the operator (Switchboard)" + (string.IsNullOrWhiteSpace(approval.Note) ? "." : ": " + approval.Note)
            : "Nobody answered in time (Switchboard); not allowed.";
        if (approval is { State: ApprovalState.Denied, Interrupt: true })
        {
            return HookAnswers.Stop(agent, hookEvent, reason).ToJsonString();
        }

        if (hookEvent == "PermissionRequest")
        {
            var verdict = new JsonObject { ["behavior"] = decision ? "allow" : "deny" };
            if (!decision)
            {
                verdict["message"] = reason;
            }
            else if (agent == HookAgent.ClaudeCode)
            {
                Remember(verdict, approval!, input); // Codex refuses both fields (docs/hooks.md), and has neither kind of approval
            }

            return new JsonObject
            {
                ["hookSpecificOutput"] = new JsonObject { ["hookEventName"] = "PermissionRequest", ["decision"] = verdict },
            }.ToJsonString();
        }

        if (agent == HookAgent.GeminiCli)
        {
            // Gemini CLI has no stronger allow than no decision (its approval mode decides).
            return decision ? HookAnswers.None : new JsonObject { ["decision"] = "deny", ["reason"] = reason }.ToJsonString();
        }

        if (decision && agent == HookAgent.Codex)
        {
            return HookAnswers.None; // Codex refuses PreToolUse's allow (docs/hooks.md): no decision lets its own path go on
        }

        return new JsonObject
        {
            ["hookSpecificOutput"] = new JsonObject
            {
                ["hookEventName"] = "PreToolUse", ["permissionDecision"] = decision ? "allow" : "deny", ["permissionDecisionReason"] = reason,
            },
        }.ToJsonString();
    }

    /// <summary>
    /// What an allow carries beyond the allow: a question's answers in the input, a plan's input as the agent gave it, an
    /// applied suggestion.
    /// </summary>
    private static void Remember(JsonObject verdict, Approval approval, JsonElement input)
    {
        if (approval.Kind == ApprovalKind.Plan && input.ValueKind == JsonValueKind.Object)
        {
            // Without updatedInput Claude Code takes an allow of ExitPlanMode as no answer and asks its own person;
            // with it, it leaves plan mode and goes on (docs/hooks.md, 2.1.328 and 2.1.332).
            verdict["updatedInput"] = JsonObject.Create(input);
        }
        else if (approval.Answers is { } answers && input.ValueKind == JsonValueKind.Object)
        {
            var updated = JsonObject.Create(input)!;
            var given = new JsonObject();
            foreach (var (question, answer) in answers)
            {
                given[question] = answer;
            }

            updated["answers"] = given;
            verdict["updatedInput"] = updated;
        }

        if (approval.AppliedSuggestion is { } index && index < approval.Suggestions.Count)
        {
            verdict["updatedPermissions"] = new JsonArray(JsonNode.Parse(approval.Suggestions[index].Permission));
        }
    }
}
