using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Webhooks;

/// <summary>
/// <c>Switchboard-Signature: v1=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))</c>, with the Unix seconds in
/// <c>Switchboard-Timestamp</c>. A receiver recomputes it over the raw body and compares in constant time.
/// </summary>
internal static class WebhookSignature
{
    public const string SignatureHeader = "Switchboard-Signature";
    public const string TimestampHeader = "Switchboard-Timestamp";
    public const string SeqHeader = "Switchboard-Seq";
    public const string EventHeader = "Switchboard-Event";
    public const string EndpointHeader = "Switchboard-Webhook";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }
}
