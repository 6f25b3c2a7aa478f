using Switchboard.Core.Hosting;

namespace Switchboard.Server.Hooks.Options;

/// <summary>What a session's <c>activity</c> says while its agent works (<c>Switchboard:Hooks:Activity</c>).</summary>
public enum HookActivity
{
    /// <summary>Nothing: <c>activity</c> stays null.</summary>
    None,

    /// <summary>The tool's name only (<c>Bash</c>, <c>Write</c>).</summary>
    Tool,

    /// <summary>The tool's name and a one-line summary of its input (the command; for file tools the path only), at most 200 characters.</summary>
    Summary,
}

/// <summary>What a held hook answers when its approval expires unanswered (<c>Switchboard:Hooks:ApprovalExpired</c>).</summary>
public enum HookApprovalFallback
{
    /// <summary>No decision: the agent follows its own rules (asks in its terminal, or denies in a headless run).</summary>
    None,

    /// <summary>Deny the tool.</summary>
    Deny,
}

/// <summary>The coding agents' hook receivers (<c>Switchboard:Hooks</c>). See docs/hooks.md.</summary>
public sealed class HooksOptions
{
    /// <summary>False turns the hook receivers (<c>POST /hooks/…</c>) off. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>What a working session's <c>activity</c> says. Default <see cref="HookActivity.Tool"/>.</summary>
    public HookActivity Activity { get; set; } = HookActivity.Tool;

    /// <summary>
    /// How long after its hooks say <c>SessionEnd</c> a session is terminated: the agents export their last telemetry as
    /// they exit, after that hook, and a terminated session takes no more usage. Zero ends it at once. Default 10 s.
    /// </summary>
    public TimeSpan EndGrace { get; set; } = SwitchboardDefaults.HookEndGrace;

    /// <summary>
    /// How long a hook is held waiting for a person or a command (a paused session's next tool; an approval): past it the
    /// hook is answered with no decision, and the agent follows its own rules. One hook may be held twice in a row (a pause
    /// hold, then an approval), so keep twice this below the timeout of the hooks that may be held (<c>hooks install</c>
    /// writes 660 s for them; docs/hooks.md). Default 5 minutes.
    /// </summary>
    public TimeSpan ApprovalWait { get; set; } = SwitchboardDefaults.HookApprovalWait;

    /// <summary>What a held hook answers when its approval expires unanswered. Default <see cref="HookApprovalFallback.None"/>.</summary>
    public HookApprovalFallback ApprovalExpired { get; set; } = HookApprovalFallback.None;

    /// <summary>
    /// Tools whose every use asks a person, at the hook before the tool (Claude Code's and Codex's <c>PreToolUse</c>,
    /// Gemini CLI's <c>BeforeTool</c>), by the agent's tool name (<c>Bash</c>, <c>run_shell_command</c>). A permission
    /// request (<c>PermissionRequest</c>) always asks. Default none.
    /// </summary>
    public List<string> ApprovalTools { get; set; } = [];

    /// <summary>The largest hook body (a tool's output rides in <c>PostToolUse</c>). Default 4 MiB; past it 413.</summary>
    public long MaxBodyBytes { get; set; } = SwitchboardDefaults.HookMaxBodyBytes;
}
