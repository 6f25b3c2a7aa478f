using System.Text.Json;

namespace Switchboard.Client;

/// <summary>Approvals: the agent asks a person before it acts.</summary>
public sealed partial class SessionHandle
{
    /// <summary>
    /// Asks a person to approve something this agent is about to do, and waits for the answer (at most
    /// <paramref name="wait"/>, five minutes when not given). The session is <c>waiting</c> meanwhile, on every dashboard.
    /// Act only on <see cref="Approval.IsAllowed"/>: denied, expired or still pending means follow your own rules.
    /// </summary>
    public Task<Approval> RequestApprovalAsync(string summary, string? tool = null, JsonElement? data = null, TimeSpan? wait = null,
        CancellationToken cancellationToken = default) =>
        _client.RequestApprovalAsync(Id, summary, tool, data, wait, wait, cancellationToken);
}
