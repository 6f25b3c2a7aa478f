using Switchboard.Core.Sessions;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// The Switchboard id of the session a record belongs to, derived the same way for every signal, on every node and after
/// every restart: <c>otel:s:{session.id}</c> (the record's, else its resource's; Codex's <c>conversation.id</c> is its
/// session id under another name and counts as one), else
/// <c>otel:c:{gen_ai.conversation.id}</c>, else, for a GenAI span, <c>otel:t:{trace id}</c>. One precedence for spans,
/// log records and metric points, so a record that carries both ids lands in the same session whatever its signal, and
/// an agent's hooks (<c>otel:s:{session_id}</c>) meet its telemetry. A source id that is not a valid Switchboard id
/// (characters outside <c>[A-Za-z0-9._:-]</c>, or too long) is mapped to <c>…:h:{the first 32 hex digits of its SHA-256}</c>,
/// never refused; of an id longer than <see cref="TelemetryText.MaxValueLength"/>, only that many characters are hashed.
/// </summary>
internal static class SessionIdentity
{
    public const string SessionPrefix = "otel:s:";
    public const string ConversationPrefix = "otel:c:";
    public const string TracePrefix = "otel:t:";

    private static readonly AttributeKey SessionKey = AttributeIndex.Key(TelemetryMap.SessionIdAttribute);
    private static readonly AttributeKey ConversationKey = AttributeIndex.Key(TelemetryMap.ConversationIdAttribute);
    private static readonly AttributeKey CodexConversationKey = AttributeIndex.Key(TelemetryMap.CodexConversationIdAttribute);

    /// <summary>
    /// The session named by a record's attributes and its resource's (whose ids <see cref="ResourceAttributes"/> derived
    /// once, by <see cref="OfResource"/>); null when neither names one.
    /// </summary>
    public static string? Of(AttributeIndex record, ResourceAttributes resource)
    {
        if ((Derived(SessionPrefix, record.String(SessionKey)) ?? resource.SessionId) is { } session)
        {
            return session;
        }

        if ((Derived(SessionPrefix, record.String(CodexConversationKey)) ?? resource.CodexSessionId) is { } thread)
        {
            return thread; // Codex's session id under another name: the id its hooks send
        }

        return Derived(ConversationPrefix, record.String(ConversationKey));
    }

    /// <summary>The sessions a resource's <c>session.id</c> and Codex <c>conversation.id</c> name (null: absent or empty).</summary>
    public static (string? Session, string? Codex) OfResource(AttributeIndex resource) =>
        (Derived(SessionPrefix, resource.String(SessionKey)), Derived(SessionPrefix, resource.String(CodexConversationKey)));

    public static string FromSessionId(string value) => Derive(SessionPrefix, value);

    public static string FromConversation(string value) => Derive(ConversationPrefix, value);

    public static string FromTrace(ReadOnlySpan<byte> traceId) => TracePrefix + Convert.ToHexStringLower(traceId);

    private static string? Derived(string prefix, string? value) => string.IsNullOrEmpty(value) ? null : Derive(prefix, value);

    /// <summary>The id as sent when it is a valid id, else its digest: an id longer than a valid one is never copied whole.</summary>
    private static string Derive(string prefix, string value)
    {
        if (prefix.Length + value.Length <= SessionLimits.MaxIdLength && SessionId.IsValid(prefix + value))
        {
            return prefix + value;
        }

        return prefix + "h:" + TelemetryText.Digest(value);
    }
}
