namespace Switchboard.Options;

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
}
