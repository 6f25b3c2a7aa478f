using Switchboard.Core.Hosting;

namespace Switchboard.Server.Approvals.Options;

/// <summary>Approvals: a person asked on a session's behalf (<c>Switchboard:Approvals</c>). See docs/approvals.md.</summary>
public sealed class ApprovalOptions
{
    /// <summary>
    /// The most approvals one session may have pending; past it an ask over the API is 429 <c>too_many_approvals</c>, and a
    /// hook that would ask is answered at once with no decision (the agent follows its own rules). 1–10,000; default 100.
    /// </summary>
    public int MaxPendingPerSession { get; set; } = SwitchboardDefaults.ApprovalMaxPendingPerSession;

    /// <summary>
    /// Let the API key that asked for an approval (an agent's hooks, a producer) answer it too. Default false: its answer is
    /// 403 <c>self_answer</c>, so a key an agent holds cannot approve the agent's own request. Without keys there is no
    /// key to compare and this does nothing.
    /// </summary>
    public bool AllowSelfAnswer { get; set; }

    /// <summary>
    /// Agent calls that are always held for a person when their hook asks, in Claude Code's permission-rule syntax:
    /// <c>Tool</c> or <c>Tool(pattern)</c>, e.g. <c>Bash(rm *)</c>; also in a non-interactive run. Default none.
    /// </summary>
    public List<string> Hold { get; set; } = [];

    /// <summary>
    /// Agent calls that are never held (unless a <see cref="Hold"/> rule matches too): their hook is answered at once with
    /// no decision and the agent follows its own rules, e.g. <c>Read</c>, <c>Bash(git status)</c>. Default none.
    /// </summary>
    public List<string> Skip { get; set; } = [];

    /// <summary>
    /// True holds the calls of a non-interactive run (<c>claude -p</c>, CI) as an interactive one's; false (the default)
    /// holds only those a <see cref="Hold"/> rule names, and answers the others at once with no decision.
    /// </summary>
    public bool HoldNonInteractive { get; set; }
}
