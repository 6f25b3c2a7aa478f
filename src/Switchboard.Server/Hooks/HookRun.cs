using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Hooks;

/// <summary>Whether a person sits at the agent that sent a hook (docs/approvals.md, "Which calls wait").</summary>
internal enum HookRun
{
    /// <summary>The hook did not say (hooks installed before the headers existed): treated as interactive.</summary>
    Unknown,

    /// <summary>A person at the agent's terminal or editor.</summary>
    Interactive,

    /// <summary>Nobody at the agent: <c>claude -p</c>, an SDK, a CI job.</summary>
    NonInteractive,
}

/// <summary>
/// Reads the kind of run from the headers the installed hooks send, filled from the agent's environment: the agents put
/// nothing about it in their hook payloads (Claude Code 2.1.328's input schema has no such field), but Claude Code sets
/// <c>CLAUDE_CODE_ENTRYPOINT</c> (<c>cli</c>, or <c>sdk-cli</c> under <c>-p</c>) before its hooks run, and CI systems set
/// <c>CI</c>.
/// </summary>
internal static class HookRuns
{
    /// <summary>The run as the agent names it: <c>interactive</c>, <c>non-interactive</c>, or Claude Code's <c>$CLAUDE_CODE_ENTRYPOINT</c>.</summary>
    public const string RunHeader = "X-Switchboard-Run";

    /// <summary>The agent's <c>$CI</c>: set (and not <c>0</c> or <c>false</c>) in a CI job, which nobody sits at.</summary>
    public const string CiHeader = "X-Switchboard-CI";

    public static HookRun Of(IHeaderDictionary headers)
    {
        var ci = headers[CiHeader].ToString().Trim();
        if (ci.Length > 0 && ci != "0" && !ci.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return HookRun.NonInteractive;
        }

        var run = headers[RunHeader].ToString().Trim().ToLowerInvariant();
        return run switch
        {
            "interactive" or "cli" => HookRun.Interactive,
            // Claude Code: sdk-cli under -p, sdk-ts and sdk-py from the Agent SDKs; its GitHub Action; `claude mcp serve`.
            "non-interactive" or "ci" or "claude-code-github-action" or "mcp" => HookRun.NonInteractive,
            _ when run.StartsWith("sdk-", StringComparison.Ordinal) => HookRun.NonInteractive,
            _ => HookRun.Unknown,
        };
    }
}
