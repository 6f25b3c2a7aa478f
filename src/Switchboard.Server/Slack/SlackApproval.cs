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

    /// <summary>True when Allow and Deny answer it; a question or a plan needs the dashboard (Open only), but see <see cref="Choice"/>.</summary>
    public bool Answerable => Kind == Permission;

    /// <summary>
    /// The one question of a question approval when a click on one of its options answers it: a single choice of at most
    /// <see cref="MaxOptions"/> options whose labels fit a button. Null for several questions, a multiple choice, or
    /// anything else: the dashboard answers those (free text, several labels joined).
    /// </summary>
    public ApprovalQuestion? Choice => Approval is { Kind: ApprovalKind.Question, Questions: [{ MultiSelect: false } q] }
        && q.Options.Count is > 0 and <= MaxOptions && q.Options.All(o => o.Label.Length is > 0 and <= MaxLabel) ? q : null;

    /// <summary>Options shown as buttons at most (Claude Code asks with two to four).</summary>
    public const int MaxOptions = 5;

    /// <summary>The longest text Slack takes on a button.</summary>
    public const int MaxLabel = 75;

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
