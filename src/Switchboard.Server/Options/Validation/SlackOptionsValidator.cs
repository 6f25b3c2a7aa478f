using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Switchboard.Server.Slack.Options;

namespace Switchboard.Server.Options.Validation;

/// <summary>
/// <c>Switchboard:Slack</c>: off when nothing is set; a Slack app half set up (a token without a secret, a channel without
/// either, no channel or nowhere for Open to lead) stops the server with a line saying what is missing, rather than post
/// buttons nobody can use or take clicks nobody can verify. Secrets are never echoed.
/// </summary>
internal static partial class SlackOptionsValidator
{
    private const string Section = "Switchboard:Slack";

    public static ValidateOptionsResult Validate(SlackOptions o, Uri? publicUrl)
    {
        var p = new OptionProblems(Section);
        var token = !string.IsNullOrEmpty(o.BotToken);
        var secret = !string.IsNullOrEmpty(o.SigningSecret);
        if (!token && !secret)
        {
            if (!string.IsNullOrEmpty(o.Channel) || o.Operators.Count > 0 || o.DashboardUrl is not null)
            {
                p.AddLine($"{Section} is set up without {Section}:BotToken and {Section}:SigningSecret: set both (the Slack app's bot token and signing secret) " +
                    $"to turn Slack on, or remove the other {Section} settings.");
            }

            return p.Result;
        }

        if (token != secret)
        {
            var missing = token ? "SigningSecret" : "BotToken";
            p.AddLine($"{Section}:{missing} is not set while {Section}:{(token ? "BotToken" : "SigningSecret")} is: Slack needs both, the bot token to post " +
                "and the signing secret to verify clicks (both on the Slack app's pages: OAuth & Permissions, Basic Information). Set it, or remove the other to turn Slack off.");
        }

        if (string.IsNullOrWhiteSpace(o.Channel))
        {
            p.AddLine($"{Section}:Channel is not set: name the channel approvals are posted to (its id, such as C0123ABCD, with the app's bot invited to it).");
        }

        if (!IsWebUrl(o.ApiBaseUrl))
        {
            p.Add(nameof(o.ApiBaseUrl), o.ApiBaseUrl, $"it must be the absolute http(s) URL of Slack's Web API, {SlackOptions.DefaultApiBaseUrl} (the default)");
        }

        if (o.DashboardUrl is { } dashboard && !IsWebUrl(dashboard))
        {
            p.Add(nameof(o.DashboardUrl), dashboard, "it must be the absolute http(s) URL people open the dashboard at, such as https://switchboard.example.com/");
        }
        else if (o.DashboardUrl is null && publicUrl is null)
        {
            p.AddLine($"{Section}:DashboardUrl is not set, nor is Switchboard:PublicUrl: set one to the URL people open the dashboard at, where a message's Open button leads.");
        }

        foreach (var (user, name) in o.Operators)
        {
            if (!UserId().IsMatch(user))
            {
                p.Add($"Operators:{user}", name, "the key must be a Slack user id, such as U0123ABCD (a member's profile, ⋮, Copy member ID)");
            }
            else if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
            {
                p.Add($"Operators:{user}", name, "it must be the operator's name, 1 to 200 characters");
            }
        }

        return p.Result;
    }

    private static bool IsWebUrl(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(url.UserInfo);

    [GeneratedRegex("^[UW][A-Z0-9]{2,31}$")]
    private static partial Regex UserId();
}
