using System.Security.Cryptography;
using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// The Switchboard id of the session a record belongs to, derived the same way on every node and after every restart:
/// <c>otel:s:{session.id}</c>, else <c>otel:c:{gen_ai.conversation.id}</c>, else <c>otel:t:{trace id}</c>. A source id
/// that is not a valid Switchboard id (characters outside <c>[A-Za-z0-9._:-]</c>, or too long) is mapped to
/// <c>…:h:{the first 32 hex digits of its SHA-256}</c>, never refused.
/// </summary>
internal static class SessionIdentity
{
    public const string SessionPrefix = "otel:s:";
    public const string ConversationPrefix = "otel:c:";
    public const string TracePrefix = "otel:t:";

    public static string FromSessionId(string value) => Derive(SessionPrefix, value);

    public static string FromConversation(string value) => Derive(ConversationPrefix, value);

    public static string FromTrace(ReadOnlySpan<byte> traceId) => TracePrefix + Convert.ToHexStringLower(traceId);

    private static string Derive(string prefix, string value)
    {
        var id = prefix + value;
        if (SessionId.IsValid(id))
        {
            return id;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return prefix + "h:" + Convert.ToHexStringLower(hash[..16]);
    }
}
