using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Switchboard.Core.Commands;

namespace Switchboard.Server.Hooks;

/// <summary>
/// Commands as hook answers, in each agent's own format (docs/hooks.md, "Commands through hook answers"): which command
/// types each event's answer can carry, and the answer that carries them. A command an event cannot carry stays due for
/// a later one.
/// </summary>
internal static class HookAnswers
{
    /// <summary>No decision: every agent then follows its own rules.</summary>
    public const string None = "{}";

    private static readonly FrozenSet<CommandType> Everything = FrozenSet.Create(CommandType.Cancel, CommandType.Message, CommandType.Pause, CommandType.Resume);
    private static readonly FrozenSet<CommandType> NoPause = FrozenSet.Create(CommandType.Cancel, CommandType.Message, CommandType.Resume);
    private static readonly FrozenSet<CommandType> Talk = FrozenSet.Create(CommandType.Message, CommandType.Resume);
    private static readonly FrozenSet<CommandType> NoMessage = FrozenSet.Create(CommandType.Cancel, CommandType.Pause, CommandType.Resume);

    /// <summary>What a hook held for an approval takes while it waits.</summary>
    public static readonly FrozenSet<CommandType> CancelOnly = FrozenSet.Create(CommandType.Cancel);

    /// <summary>What a paused session's held hook waits for.</summary>
    public static readonly FrozenSet<CommandType> WhilePaused = FrozenSet.Create(CommandType.Cancel, CommandType.Resume);

    private static readonly FrozenDictionary<string, FrozenSet<CommandType>> Claude = new Dictionary<string, FrozenSet<CommandType>>
    {
        ["PreToolUse"] = Everything,
        ["UserPromptSubmit"] = NoPause,
        ["PostToolUse"] = NoPause,
        ["Stop"] = Talk,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Codex cannot be stopped mid-turn by a hook: a cancel denies the next tool (the model reads why), or stops a prompt.
    private static readonly FrozenDictionary<string, FrozenSet<CommandType>> Codex = new Dictionary<string, FrozenSet<CommandType>>
    {
        ["PreToolUse"] = Everything,
        ["UserPromptSubmit"] = NoPause,
        ["PostToolUse"] = Talk,
        ["Stop"] = Talk,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Gemini CLI ignores BeforeTool's additionalContext.
    private static readonly FrozenDictionary<string, FrozenSet<CommandType>> Gemini = new Dictionary<string, FrozenSet<CommandType>>
    {
        ["BeforeTool"] = NoMessage,
        ["BeforeAgent"] = NoPause,
        ["AfterTool"] = NoPause,
        ["AfterAgent"] = NoPause,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The command types the answer to this event can carry; null when it carries none.</summary>
    public static FrozenSet<CommandType>? Carries(HookAgent agent, string hookEvent) => (agent switch
    {
        HookAgent.ClaudeCode => Claude,
        HookAgent.Codex => Codex,
        _ => Gemini,
    }).GetValueOrDefault(hookEvent);

    /// <summary>True for the event before a tool runs: where a paused session's agent is held.</summary>
    public static bool IsBeforeTool(HookAgent agent, string hookEvent) => hookEvent == (agent == HookAgent.GeminiCli ? "BeforeTool" : "PreToolUse");

    /// <summary>True for the end of a turn, where a message makes the agent carry on.</summary>
    private static bool IsTurnEnd(HookAgent agent, string hookEvent) => hookEvent == (agent == HookAgent.GeminiCli ? "AfterAgent" : "Stop");

    /// <summary>
    /// The answer that carries <paramref name="cancel"/> (which wins) or else <paramref name="messages"/>; <see cref="None"/>
    /// when there is neither.
    /// </summary>
    public static string For(HookAgent agent, string hookEvent, Command? cancel, IReadOnlyList<Command> messages)
    {
        if (cancel is not null)
        {
            return Cancel(agent, hookEvent, cancel).ToJsonString();
        }

        if (messages.Count == 0)
        {
            return None;
        }

        var text = string.Join("\n\n", messages.Select(m => "Message from the operator (Switchboard): " + m.Text));
        if (IsTurnEnd(agent, hookEvent))
        {
            // The agent just finished its turn: blocking the end hands it the message as a reason to carry on.
            return new JsonObject { ["decision"] = "block", ["reason"] = text }.ToJsonString();
        }

        return new JsonObject
        {
            ["hookSpecificOutput"] = new JsonObject { ["hookEventName"] = hookEvent, ["additionalContext"] = text },
        }.ToJsonString();
    }

    private static JsonObject Cancel(HookAgent agent, string hookEvent, Command cancel) =>
        Stop(agent, hookEvent, "Cancelled by the operator (Switchboard)" + (string.IsNullOrWhiteSpace(cancel.Text) ? "." : ": " + cancel.Text));

    /// <summary>
    /// The answer that denies the tool and stops the agent, as far as its hook can, with <paramref name="reason"/> for the
    /// model: a cancel, and a deny with <c>interrupt</c>.
    /// </summary>
    public static JsonObject Stop(HookAgent agent, string hookEvent, string reason)
    {
        if (hookEvent == "PermissionRequest")
        {
            // Claude Code's deny with interrupt aborts the run; Codex has no interrupt there: the deny's message tells the model to stop.
            var verdict = new JsonObject { ["behavior"] = "deny" };
            if (agent == HookAgent.ClaudeCode)
            {
                verdict["message"] = reason;
                verdict["interrupt"] = true;
            }
            else
            {
                verdict["message"] = reason + " Stop now: end your turn without calling more tools.";
            }

            return new JsonObject { ["hookSpecificOutput"] = new JsonObject { ["hookEventName"] = "PermissionRequest", ["decision"] = verdict } };
        }

        if (agent == HookAgent.Codex)
        {
            // Codex refuses continue/stopReason at PreToolUse: deny the tool and tell the model to stop.
            return hookEvent == "PreToolUse"
                ? new JsonObject
                {
                    ["hookSpecificOutput"] = new JsonObject
                    {
                        ["hookEventName"] = "PreToolUse",
                        ["permissionDecision"] = "deny",
                        ["permissionDecisionReason"] = reason + " Stop now: end your turn without calling more tools.",
                    },
                }
                : new JsonObject { ["continue"] = false };
        }

        var stop = new JsonObject { ["continue"] = false, ["stopReason"] = reason };
        if (agent == HookAgent.ClaudeCode && hookEvent == "PreToolUse")
        {
            // continue:false alone still runs the tool: the deny keeps it from running.
            stop["hookSpecificOutput"] = new JsonObject
            {
                ["hookEventName"] = "PreToolUse", ["permissionDecision"] = "deny", ["permissionDecisionReason"] = reason,
            };
        }

        return stop;
    }
}
