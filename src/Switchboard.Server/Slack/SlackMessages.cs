using System.Text.Json;
using Switchboard.Core.Approvals;
using Switchboard.Core.Json;
using Switchboard.Server.Webhooks;

namespace Switchboard.Server.Slack;

/// <summary>
/// The Block Kit bodies of <c>chat.postMessage</c> and <c>chat.update</c>: who asks, what (the agent's text escaped, so
/// <c>&lt;!channel&gt;</c> is text, not a ping, and <c>&lt;https://evil|x&gt;</c> not a disguised link), and the buttons
/// while it waits; once it ended, the same message with the outcome instead of the buttons.
/// </summary>
internal sealed class SlackMessages(string channel, Uri dashboard, IReadOnlyDictionary<string, string> operators)
{
    /// <summary>The configured channel (a post's reply names the channel's id, which an update uses).</summary>
    public string Channel => channel;

    /// <summary>The action ids of the buttons; the interactivity endpoint reads them back. A question's option is <c>answer_{index}</c>.</summary>
    public const string Allow = "allow", Deny = "deny", Open = "open", Answer = "answer_";

    /// <summary>A new message for a pending approval.</summary>
    public byte[] Request(SlackApproval a) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("channel", channel);
        Body(w, a, outcome: null);
        w.WriteEndObject();
    });

    /// <summary>The approval's message (<paramref name="ts"/> in <paramref name="postedTo"/>) with its outcome and no buttons.</summary>
    public byte[] Outcome(SlackApproval a, string postedTo, string ts) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("channel", postedTo);
        w.WriteString("ts", ts);
        Body(w, a, Ended(a.Approval));
        w.WriteEndObject();
    });

    /// <summary>The button's value: which approval a click answers, and for a question's option its index.</summary>
    public static string Value(Approval a, int? option = null) => JsonBytes.WriteText(w =>
    {
        w.WriteStartObject();
        w.WriteString("session_id", a.SessionId);
        w.WriteString("approval_id", a.Id);
        if (option is { } i)
        {
            w.WriteNumber("option", i);
        }

        w.WriteEndObject();
    });

    private void Body(Utf8JsonWriter w, SlackApproval a, string? outcome)
    {
        var approval = a.Approval;
        var who = string.IsNullOrWhiteSpace(a.SessionName) ? approval.SessionId : a.SessionName;
        var what = approval.Tool is null ? "" : $" `{SlackText.Escape(approval.Tool)}`";
        // The notification's text: what a phone's banner shows.
        w.WriteString("text", outcome is null ? $"{SlackText.Escape(who)} asks:{what} {SlackText.Escape(approval.Summary)}" : $"{SlackText.Escape(who)}: {outcome}");
        w.WriteStartArray("blocks");
        Section(w, $"*{SlackText.Escape(who)}* asks{(what.Length > 0 ? " to use" + what : "")}:\n{Quote(approval.Summary)}");
        var context = new List<string>();
        if (a.Host is not null)
        {
            context.Add($"host `{SlackText.Escape(a.Host)}`");
        }

        if (a.Folder is not null)
        {
            context.Add($"folder `{SlackText.Escape(a.Folder)}`");
        }

        context.Add($"session `{SlackText.Escape(approval.SessionId)}`");
        context.Add($"asked by {SlackText.Escape(approval.RequestedBy)}");
        w.WriteStartObject();
        w.WriteString("type", "context");
        w.WriteStartArray("elements");
        Mrkdwn(w, string.Join(" · ", context));
        w.WriteEndArray();
        w.WriteEndObject();
        if (outcome is not null)
        {
            Section(w, outcome);
        }
        else
        {
            Buttons(w, a);
        }

        w.WriteEndArray();
    }

    private void Buttons(Utf8JsonWriter w, SlackApproval a)
    {
        w.WriteStartObject();
        w.WriteString("type", "actions");
        w.WriteString("block_id", "switchboard_approval");
        w.WriteStartArray("elements");
        if (a.Answerable)
        {
            var value = Value(a.Approval);
            Button(w, Allow, "Allow", "primary", value, url: null);
            Button(w, Deny, "Deny", "danger", value, url: null);
        }
        else if (a.Choice is { } question)
        {
            for (var i = 0; i < question.Options.Count; i++)
            {
                Button(w, Answer + i, question.Options[i].Label, style: null, Value(a.Approval, i), url: null); // plain text: Slack shows it as is
            }
        }

        var clickable = a.Answerable || a.Choice is not null;
        Button(w, Open, clickable ? "Open" : "Open to answer", style: null, value: null, SlackText.Link(dashboard, a.Approval.SessionId));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private string Ended(Approval a)
    {
        var note = string.IsNullOrEmpty(a.Note) ? "" : $"\n{Quote(a.Note)}";
        return a.State switch
        {
            ApprovalState.Allowed when a.Answers is { Count: > 0 } answers =>
                $":white_check_mark: *Answered* by {Answerer(a.AnsweredBy)}: {string.Join("; ", answers.Values.Select(SlackText.Escape))}{note}",
            ApprovalState.Allowed => $":white_check_mark: *Allowed* by {Answerer(a.AnsweredBy)}{note}",
            ApprovalState.Denied => $":no_entry: *Denied* by {Answerer(a.AnsweredBy)}{note}",
            ApprovalState.Expired => ":hourglass: *Expired*: nobody answered in time; the agent followed its own rules",
            ApprovalState.Withdrawn => $":leftwards_arrow_with_hook: *Withdrawn* ({SlackText.Escape(a.Reason ?? "no reason")}): nobody waits for the answer any more",
            _ => "*Pending*",
        };
    }

    /// <summary>An operator by name for a Slack click (<c>slack:U…</c>), else the key (and person) that answered.</summary>
    private string Answerer(string? answeredBy) =>
        answeredBy is not null && answeredBy.StartsWith(SlackAnswers.Prefix, StringComparison.Ordinal) && operators.TryGetValue(answeredBy[SlackAnswers.Prefix.Length..], out var name)
            ? $"{SlackText.Escape(name)} (in Slack)"
            : SlackText.Escape(answeredBy ?? "anonymous");

    private static string Quote(string text) => string.Join("\n", text.Split('\n').Select(line => "> " + SlackText.Escape(line)));

    private static void Section(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "section");
        w.WritePropertyName("text");
        Mrkdwn(w, text);
        w.WriteEndObject();
    }

    private static void Mrkdwn(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void Button(Utf8JsonWriter w, string action, string label, string? style, string? value, string? url)
    {
        w.WriteStartObject();
        w.WriteString("type", "button");
        w.WriteString("action_id", action);
        w.WritePropertyName("text");
        w.WriteStartObject();
        w.WriteString("type", "plain_text");
        w.WriteString("text", label);
        w.WriteEndObject();
        if (style is not null)
        {
            w.WriteString("style", style);
        }

        if (value is not null)
        {
            w.WriteString("value", value);
        }

        if (url is not null)
        {
            w.WriteString("url", url);
        }

        w.WriteEndObject();
    }
}
