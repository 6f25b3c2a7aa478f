using System.Collections.Frozen;
using System.Text.Json;
using Switchboard.Core.Writes;
using Switchboard.Server.Hooks.Options;

namespace Switchboard.Server.Hooks;

/// <summary>
/// What an event says of its session: the state (<see cref="HookSignal"/>), whether it names the tool at work, and whether
/// the agent asks a person in its terminal (<see cref="Switchboard.Core.Writes.ApplyHook.AsksInTerminal"/>).
/// </summary>
internal readonly record struct HookMeaning(HookSignal Signal, bool NamesTool = false, bool ClearsActivity = false, bool AsksInTerminal = false);

/// <summary>
/// Each agent's events as states (docs/hooks.md, "State from hooks"): a prompt or a tool is <c>working</c>, a permission
/// request or a question <c>waiting</c>, the end of a turn <c>idle</c>, the end of the agent <c>terminated</c>. An event not
/// listed only says the agent was heard from.
/// </summary>
internal static class HookStates
{
    private static readonly HookMeaning Prompt = new(HookSignal.Working, ClearsActivity: true);
    private static readonly HookMeaning Tool = new(HookSignal.Working, NamesTool: true);
    private static readonly HookMeaning AfterTool = new(HookSignal.Working, ClearsActivity: true);
    private static readonly HookMeaning Asks = new(HookSignal.Waiting, NamesTool: true);
    private static readonly HookMeaning TurnEnd = new(HookSignal.Idle);

    private static readonly FrozenDictionary<string, HookMeaning> Claude = new Dictionary<string, HookMeaning>
    {
        ["SessionStart"] = new(HookSignal.Started),
        ["UserPromptSubmit"] = Prompt,
        ["PreToolUse"] = Tool,
        ["PermissionRequest"] = Asks,
        ["PostToolUse"] = AfterTool,
        ["PostToolUseFailure"] = AfterTool,
        ["PermissionDenied"] = AfterTool,
        ["Stop"] = TurnEnd,
        ["StopFailure"] = TurnEnd,
        ["SessionEnd"] = new(HookSignal.End),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, HookMeaning> Codex = new Dictionary<string, HookMeaning>
    {
        ["SessionStart"] = new(HookSignal.Started),
        ["UserPromptSubmit"] = Prompt,
        ["PreModelRequest"] = Prompt,
        ["PreToolUse"] = Tool,
        ["PermissionRequest"] = Asks,
        ["PostToolUse"] = AfterTool,
        ["Stop"] = TurnEnd,
        ["Interrupt"] = TurnEnd,
        ["SessionEnd"] = new(HookSignal.End),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, HookMeaning> Gemini = new Dictionary<string, HookMeaning>
    {
        ["SessionStart"] = new(HookSignal.Started),
        ["BeforeAgent"] = Prompt,
        ["BeforeTool"] = Tool,
        ["AfterTool"] = AfterTool,
        ["AfterAgent"] = TurnEnd,
        ["Notification"] = new(HookSignal.Waiting), // ToolPermission: a confirmation is shown
        ["SessionEnd"] = new(HookSignal.End),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Claude Code's notifications of a permission prompt in its terminal (docs/hooks.md, "Claude Code in a terminal"):
    /// answerable from Switchboard only while its <c>PermissionRequest</c> hook is held.
    /// </summary>
    private static readonly FrozenSet<string> TerminalPrompts = new[] { "permission_prompt", "agent_needs_input" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Claude Code's notifications that mean a person is asked something.</summary>
    private static readonly FrozenSet<string> Questions = new[]
    {
        "permission_prompt", "agent_needs_input", "elicitation_dialog", "elicitation_url_dialog", "worker_permission_prompt",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static HookMeaning Of(HookAgent agent, HookEvent e)
    {
        if (agent == HookAgent.ClaudeCode && e.Name == "Notification")
        {
            // idle_prompt: the prompt has waited for input a while (Claude Code sends it after 60 s), also after a turn the
            // user interrupted (Esc fires no Stop), so it ends the turn.
            return e.NotificationType switch
            {
                { } type when Questions.Contains(type) => new(HookSignal.Waiting, AsksInTerminal: TerminalPrompts.Contains(type)),
                "idle_prompt" => TurnEnd,
                _ => new(HookSignal.Heard),
            };
        }

        var table = agent switch
        {
            HookAgent.ClaudeCode => Claude,
            HookAgent.Codex => Codex,
            _ => Gemini,
        };
        return table.TryGetValue(e.Name, out var meaning) ? meaning : new(HookSignal.Heard);
    }

    /// <summary>The session's activity after the event: absent when the event says nothing of it.</summary>
    public static Optional<string?> Activity(HookMeaning meaning, HookEvent e, HookActivity setting)
    {
        if (meaning.Signal is HookSignal.Started or HookSignal.Idle or HookSignal.End || meaning.ClearsActivity)
        {
            return new Optional<string?>(null);
        }

        if (!meaning.NamesTool || e.ToolName is null)
        {
            return Optional<string?>.Absent;
        }

        return setting switch
        {
            HookActivity.None => new Optional<string?>(null),
            HookActivity.Tool => Clip(e.ToolName, MaxActivity),
            _ => Summary(e.ToolName, e.ToolInput),
        };
    }

    /// <summary>The longest summary line.</summary>
    public const int MaxActivity = 200;

    // File tools name a path; for them the path is all that is shown, never the content.
    private static readonly string[] PathKeys = ["file_path", "notebook_path", "absolute_path", "path", "dir_path"];
    private static readonly string[] OtherKeys = ["command", "pattern", "url", "query"];

    /// <summary>
    /// <c>Tool: summary</c> on one line, at most <see cref="MaxActivity"/> characters: for a file tool its path only, else
    /// its command, pattern, URL or query; the name alone when the input has none of these.
    /// </summary>
    public static string Summary(string tool, JsonElement input)
    {
        var detail = PathKeys.Select(k => HookEvent.Text(input, k)).FirstOrDefault(v => v is not null)
            ?? OtherKeys.Select(k => HookEvent.Text(input, k)).FirstOrDefault(v => v is not null);
        if (detail is null)
        {
            return Clip(tool, MaxActivity);
        }

        var line = string.Join(' ', detail.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)); // one line, runs of blanks as one
        return Clip($"{tool}: {line}", MaxActivity);
    }

    private static string Clip(string text, int max) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1)] + "…";
}
