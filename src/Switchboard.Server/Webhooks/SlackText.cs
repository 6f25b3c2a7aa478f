using System.Text;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// Text from agents and producers in a Slack message, as text (docs/alerts.md, "Slack"): Slack reads <c>&amp;</c>,
/// <c>&lt;</c> and <c>&gt;</c> as markup (<c>&lt;!channel&gt;</c> pings a channel, <c>&lt;url|label&gt;</c> is a link
/// that shows only its label), so they go as the entities Slack's formatting reference asks for. A bare <c>@word</c> is
/// not a mention in an incoming webhook's text unless <c>link_names</c> is set, but Slack-compatible receivers
/// (Mattermost) ping on <c>@channel</c>, <c>@here</c> or a user's name: a word joiner after the <c>@</c> keeps it from
/// being read as one and shows nothing.
/// </summary>
internal static class SlackText
{
    private const char WordJoiner = '\u2060';

    /// <summary><paramref name="text"/> escaped for a Slack message; empty for null.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                // A mention starts a word: user@example.com and git@host stay as they are.
                '@' when (i == 0 || !char.IsLetterOrDigit(text[i - 1])) && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])
                    => escaped.Append('@').Append(WordJoiner),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A session in a message: its name (escaped), then its id, which links to the session on the dashboard
    /// (<c>{PublicUrl}/?session={id}</c>, docs/dashboard.md) when <paramref name="publicUrl"/> is set; the id alone when
    /// the session has no name.
    /// </summary>
    public static string Session(string? name, string id, Uri? publicUrl)
    {
        var shown = publicUrl is null ? $"`{Escape(id)}`" : $"<{Link(publicUrl, id)}|{Escape(id)}>";
        return string.IsNullOrWhiteSpace(name) || name == id ? shown : $"*{Escape(name)}* ({shown})";
    }

    /// <summary>The dashboard with the session's detail open; the id escaped, as Slack would end the link at a <c>&gt;</c> or <c>|</c>.</summary>
    internal static string Link(Uri publicUrl, string sessionId)
    {
        var root = publicUrl.AbsoluteUri.EndsWith('/') ? publicUrl.AbsoluteUri : publicUrl.AbsoluteUri + "/";
        return $"{root}?session={Uri.EscapeDataString(sessionId)}";
    }
}
