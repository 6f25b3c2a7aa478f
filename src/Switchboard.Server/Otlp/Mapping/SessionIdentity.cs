using System.Security.Cryptography;
using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Otlp.Mapping;

/// <summary>
/// The Switchboard id of the session a record belongs to, derived the same way for every signal, on every node and after
/// every restart: <c>otel:s:{session.id}</c> (the record's, else its resource's; Codex's <c>conversation.id</c> is its
/// session id under another name and counts as one), else
/// <c>otel:c:{gen_ai.conversation.id}</c>, else, for a GenAI span, <c>otel:t:{trace id}</c>. One precedence for spans,
/// log records and metric points, so a record that carries both ids lands in the same session whatever its signal, and
/// an agent's hooks (<c>otel:s:{session_id}</c>) meet its telemetry. A source id that is not a valid Switchboard id
/// (characters outside <c>[A-Za-z0-9._:-]</c>, or too long) is mapped to <c>…:h:{the first 32 hex digits of its SHA-256}</c>,
/// never refused.
/// </summary>
internal static class SessionIdentity
{
    public const string SessionPrefix = "otel:s:";
    public const string ConversationPrefix = "otel:c:";
    public const string TracePrefix = "otel:t:";

    private static readonly AttributeKey SessionKey = AttributeIndex.Key(TelemetryMap.SessionIdAttribute);
    private static readonly AttributeKey ConversationKey = AttributeIndex.Key(TelemetryMap.ConversationIdAttribute);
    private static readonly AttributeKey CodexConversationKey = AttributeIndex.Key(TelemetryMap.CodexConversationIdAttribute);

    /// <summary>The session named by a record's attributes and its resource's; null when neither names one.</summary>
    public static string? Of(AttributeIndex record, AttributeIndex resource)
    {
        if ((NonEmpty(record.String(SessionKey)) ?? NonEmpty(resource.String(SessionKey))) is { } session)
        {
            return FromSessionId(session);
        }

        if ((NonEmpty(record.String(CodexConversationKey)) ?? NonEmpty(resource.String(CodexConversationKey))) is { } thread)
        {
            return FromSessionId(thread); // Codex's session id under another name: the id its hooks send
        }

        return NonEmpty(record.String(ConversationKey)) is { } conversation ? FromConversation(conversation) : null;
    }

    public static string FromSessionId(string value) => Derive(SessionPrefix, value);

    public static string FromConversation(string value) => Derive(ConversationPrefix, value);

    public static string FromTrace(ReadOnlySpan<byte> traceId) => TracePrefix + Convert.ToHexStringLower(traceId);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

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
