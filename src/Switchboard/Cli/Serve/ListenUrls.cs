using System.Globalization;
using Switchboard.Core.Hosting;

namespace Switchboard.Cli.Serve;

/// <summary>
/// Checks listen addresses before Kestrel sees them: a bare port (<c>--urls 5090</c>) or a host without a scheme would
/// otherwise fail later with a message about something else.
/// </summary>
internal static class ListenUrls
{
    /// <summary>The addresses in a <c>;</c>-separated list.</summary>
    public static string[] Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>What is wrong with <paramref name="urls"/> (from <paramref name="source"/>), with a corrected example; null when fine.</summary>
    public static string? Problem(string urls, string source)
    {
        var list = Split(urls);
        if (list.Length == 0)
        {
            return $"{source} is empty; give an address such as {SwitchboardDefaults.Urls}.";
        }

        foreach (var url in list)
        {
            if (Suggestion(url) is { } suggestion)
            {
                return $"{source} takes addresses with a scheme, host and port, such as {suggestion}; got '{url}'.";
            }
        }

        return null;
    }

    /// <summary>Null when Kestrel can bind <paramref name="url"/>; otherwise what the user probably meant.</summary>
    private static string? Suggestion(string url)
    {
        if (int.TryParse(url, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return $"http://127.0.0.1:{Math.Clamp(port, 1, 65535)}";
        }

        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return url.Contains("://", StringComparison.Ordinal) ? SwitchboardDefaults.Urls : "http://" + url;
        }

        try
        {
            var address = BindingAddress.Parse(url);
            return address.IsUnixPipe || address.IsNamedPipe || (address.Port is >= 0 and <= 65535 && address.Host.Length > 0)
                ? null
                : SwitchboardDefaults.Urls;
        }
        catch (FormatException)
        {
            return SwitchboardDefaults.Urls;
        }
    }
}
