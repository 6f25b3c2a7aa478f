namespace Switchboard.Options;

/// <summary>Approvals: a person asked on a session's behalf (<c>Switchboard:Approvals</c>). See docs/approvals.md.</summary>
public sealed class ApprovalOptions
{
    /// <summary>
    /// The most approvals one session may have pending; past it an ask over the API is 429 <c>too_many_approvals</c>, and a
    /// hook that would ask is answered at once with no decision (the agent follows its own rules). 1–10,000; default 100.
    /// </summary>
    public int MaxPendingPerSession { get; set; } = SwitchboardDefaults.ApprovalMaxPendingPerSession;
}
