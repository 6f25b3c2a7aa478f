namespace Switchboard.Server.Hooks;

/// <summary>The coding agents whose hooks Switchboard reads, each at <c>POST /hooks/{name}</c> (docs/hooks.md).</summary>
internal enum HookAgent
{
    /// <summary>Claude Code: HTTP hooks, and a <c>curl</c> command hook for <c>SessionStart</c>.</summary>
    ClaudeCode,

    /// <summary>Codex: command hooks through <c>curl</c>.</summary>
    Codex,

    /// <summary>Gemini CLI: command hooks through <c>curl</c>.</summary>
    GeminiCli,
}

internal static class HookAgents
{
    public static readonly HookAgent[] All = [HookAgent.ClaudeCode, HookAgent.Codex, HookAgent.GeminiCli];

    /// <summary>The agent's name in the path and in the <c>service</c> label (Claude Code's and Gemini CLI's OpenTelemetry use the same).</summary>
    public static string Name(this HookAgent agent) => agent switch
    {
        HookAgent.ClaudeCode => "claude-code",
        HookAgent.Codex => "codex",
        _ => "gemini-cli",
    };
}
