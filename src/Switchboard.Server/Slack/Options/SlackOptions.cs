namespace Switchboard.Server.Slack.Options;

/// <summary>
/// The Slack app (<c>Switchboard:Slack</c>): approvals posted to a channel with Allow, Deny and Open buttons, answered by
/// the Slack users mapped to operators. Off unless <see cref="BotToken"/> and <see cref="SigningSecret"/> are both set;
/// one without the other, or without a channel, stops the server at start. See docs/slack.md.
/// </summary>
public sealed class SlackOptions
{
    /// <summary>The app's bot token (<c>xoxb-…</c>, scope <c>chat:write</c>), sent to Slack's Web API only.</summary>
    public string? BotToken { get; set; }

    /// <summary>The app's signing secret: every click Slack sends is verified with it (<c>X-Slack-Signature</c>).</summary>
    public string? SigningSecret { get; set; }

    /// <summary>The channel approvals are posted to: its id (<c>C0123…</c>) or name; the bot must be a member.</summary>
    public string? Channel { get; set; }

    /// <summary>Slack's Web API. Default <c>https://slack.com/api/</c>; tests point it at a fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new(DefaultApiBaseUrl);

    /// <summary>
    /// Slack user id → operator name (<c>U0123ABC = alice</c>). Only a mapped user's click answers; the operator name is
    /// shown on the message and compared with the key that asked (the self-answer rule). Empty by default: nobody answers.
    /// </summary>
    public Dictionary<string, string> Operators { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the Open button leads (the dashboard, with the session open). Default <c>Switchboard:PublicUrl</c>.</summary>
    public Uri? DashboardUrl { get; set; }

    /// <summary>True when the token and the secret are both set.</summary>
    internal bool Enabled => !string.IsNullOrEmpty(BotToken) && !string.IsNullOrEmpty(SigningSecret);

    internal const string DefaultApiBaseUrl = "https://slack.com/api/";
}
