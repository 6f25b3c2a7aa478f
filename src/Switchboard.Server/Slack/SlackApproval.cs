using System.Text.Json;
using Switchboard.Core.Approvals;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Slack;

/// <summary>
/// An approval event as a Slack message needs it: the approval after the event, and who asks (the session's name, its
/// <c>host</c> label, the agent's folder). Taken from the applied event and the session the live loop hands with it, so
/// the Slack room keeps no copy of sessions or approvals.
/// </summary>
internal sealed record SlackApproval(Approval Approval, string Kind, string? SessionName, string? Host, string? Folder)
{
    /// <summary>The kind of a permission request: the only one whose Allow and Deny make sense without more input.</summary>
    public const string Permission = "permission";

    /// <summary>True when Allow and Deny answer it; a question or a plan needs the dashboard (Open only).</summary>
    public bool Answerable => Kind == Permission;

    /// <summary>The approval event <paramref name="e"/> as Slack shows it, or null for any other event.</summary>
    public static SlackApproval? From(EventRecord e, Session? after)
    {
        if (!EventTypes.IsApproval(e.Type))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(e.Data);
        return Of(ApprovalJson.Read(doc.RootElement.GetProperty("approval")), after ?? e.Session);
    }

    /// <summary><paramref name="approval"/> of <paramref name="session"/> (null when the store no longer has it) as Slack shows it.</summary>
    public static SlackApproval Of(Approval approval, Session? session)
    {
        string? host = null;
        session?.Labels.TryGetValue("host", out host);
        return new SlackApproval(approval, approval.Kind.ToWire(), session?.Name, host, approval.Cwd);
    }
}
