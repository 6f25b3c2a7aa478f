using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Slack;

/// <summary>
/// Slack's request signature (api.slack.com/authentication/verifying-requests-from-slack): <c>X-Slack-Signature</c> is
/// <c>v0=</c> and the hex HMAC-SHA256, keyed with the app's signing secret, of <c>v0:{X-Slack-Request-Timestamp}:{raw body}</c>.
/// A request is taken only when the signature matches (compared in constant time) and its timestamp is within
/// <see cref="Window"/> of the node's clock either way, so a captured click cannot be replayed later.
/// </summary>
internal static class SlackSignature
{
    /// <summary>How far a request's timestamp may be from now, either way: five minutes, as Slack advises.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>The signature Slack sends for <paramref name="body"/> at <paramref name="timestamp"/> (Unix seconds, as in the header).</summary>
    public static string Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"v0:{timestamp}:");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Null when the request is Slack's, else why not (never echoing the signature).</summary>
    public static string? Refusal(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return "the request has no X-Slack-Request-Timestamp or X-Slack-Signature header: only Slack, signing with the app's secret, may call this URL";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return "X-Slack-Request-Timestamp is not a time in Unix seconds";
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > Window)
        {
            return $"X-Slack-Request-Timestamp is {(int)age.Duration().TotalSeconds} s {(age > TimeSpan.Zero ? "old" : "ahead")}, more than five minutes: " +
                "a replayed request is refused (check the server's clock if Slack's clicks all fail so)";
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        var given = Encoding.UTF8.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : "X-Slack-Signature does not match the body: the request is not from Slack, or Switchboard:Slack:SigningSecret is not the app's signing secret";
    }
}
