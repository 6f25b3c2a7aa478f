using System.Collections.Frozen;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>What a log event says: its signal, where its usage is (null: none), and which attribute holds its error message.</summary>
internal sealed record LogRule(TelemetrySignal Signal, UsageRule? Usage = null, string? ErrorAttribute = null);

/// <summary>Which attributes carry usage: input token counts are summed (fresh input, cache reads, cache writes).</summary>
internal sealed record UsageRule(string[] Input, string[] Output, string? CostUsd);

/// <summary>What a GenAI span says once it has ended: its signal (as a root span and as a child), and whether its usage counts.</summary>
/// <param name="StartsAgents">
/// True for the operations inside which another agent's run may start (running an agent, creating one, a tool that hands
/// over to one): their spans are recorded, so a sub-agent's session finds its parent (<see cref="SpanLinks"/>).
/// </param>
internal sealed record SpanRule(TelemetrySignal Signal, TelemetrySignal RootSignal, bool CountsUsage, bool StartsAgents = false);

/// <summary>
/// A metric that carries usage: which counter a point feeds, from the value of <see cref="TypeAttribute"/> (tokens), or
/// the cost in USD when <see cref="IsCost"/>. Points of other types (thought, tool tokens) are activity only.
/// </summary>
internal sealed record MetricUsageRule(string? TypeAttribute, string[] Input, string[] Output, bool IsCost = false);

/// <summary>A session label and the attributes it is read from, first present wins (record first, then resource).</summary>
internal sealed record LabelRule(string Label, string[] Attributes);

/// <summary>
/// The one declared mapping from OpenTelemetry to sessions (docs/otel.md prints the same table). The receivers walk
/// requests and look records up here; nothing else decides what a record means.
/// </summary>
internal static class TelemetryMap
{
    private static readonly LogRule Activity = new(TelemetrySignal.Activity);

    /// <summary>
    /// Log events by name (the record's <c>event_name</c>, else its body, else its <c>event.name</c> attribute). Claude
    /// Code reports the same usage here and in its metrics (<see cref="MetricUsage"/>); a session counts the one of the two
    /// that brought it usage first (its <c>usage_from</c> label), which with both exporters on is the events.
    /// </summary>
    public static readonly FrozenDictionary<string, LogRule> LogEvents = new Dictionary<string, LogRule>(StringComparer.Ordinal)
    {
        ["claude_code.user_prompt"] = Activity,
        ["claude_code.api_request"] = new(TelemetrySignal.Activity,
            new UsageRule(["input_tokens", "cache_read_tokens", "cache_creation_tokens"], ["output_tokens"], "cost_usd")),
        ["claude_code.api_error"] = new(TelemetrySignal.Error, ErrorAttribute: "error"),
        ["claude_code.tool_result"] = Activity,
        ["claude_code.tool_decision"] = Activity,
        ["claude_code.assistant_response"] = Activity,
        ["gemini_cli.user_prompt"] = Activity,
        ["gemini_cli.api_request"] = Activity,
        ["gemini_cli.api_response"] = new(TelemetrySignal.Activity,
            new UsageRule(["input_token_count"], ["output_token_count"], null)),
        ["gemini_cli.api_error"] = new(TelemetrySignal.Error, ErrorAttribute: "error"),
        ["gemini_cli.tool_call"] = Activity,
        ["codex.user_prompt"] = Activity,
        ["codex.api_request"] = Activity,
        ["codex.sse_event"] = new(TelemetrySignal.Activity,
            new UsageRule(["input_token_count"], ["output_token_count"], null)),
        ["codex.tool_decision"] = Activity,
        ["codex.tool_result"] = Activity,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// GenAI spans by <c>gen_ai.operation.name</c>. Spans arrive when they end: an ended root <c>invoke_agent</c> span is a
    /// finished run (idle); model calls carry the usage (an agent span's totals would count it twice). An error status
    /// makes any of them an error.
    /// </summary>
    public static readonly FrozenDictionary<string, SpanRule> SpanOperations = new Dictionary<string, SpanRule>(StringComparer.Ordinal)
    {
        ["invoke_agent"] = new(TelemetrySignal.Activity, TelemetrySignal.Idle, CountsUsage: false, StartsAgents: true),
        ["create_agent"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: false, StartsAgents: true),
        ["chat"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: true),
        ["text_completion"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: true),
        ["generate_content"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: true),
        ["embeddings"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: true),
        ["execute_tool"] = new(TelemetrySignal.Activity, TelemetrySignal.Activity, CountsUsage: false, StartsAgents: true),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>GenAI span usage.</summary>
    public static readonly UsageRule SpanUsage = new(["gen_ai.usage.input_tokens"], ["gen_ai.usage.output_tokens"], null);

    /// <summary>Metrics of these agents are activity when a point is above zero (a cumulative one: when it grew).</summary>
    public static readonly string[] ActivityMetricPrefixes = ["claude_code.", "gemini_cli.", "codex."];

    /// <summary>
    /// Agent metrics that also carry usage, delta or cumulative: a session whose usage comes from metrics (an agent that
    /// exports metrics but no events) counts them. Input is what the model read, as for the events.
    /// </summary>
    public static readonly FrozenDictionary<string, MetricUsageRule> MetricUsage = new Dictionary<string, MetricUsageRule>(StringComparer.Ordinal)
    {
        ["claude_code.token.usage"] = new("type", ["input", "cacheRead", "cacheCreation"], ["output"]),
        ["claude_code.cost.usage"] = new(null, [], [], IsCost: true),
        ["gemini_cli.token.usage"] = new("type", ["input"], ["output"]),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Labels every session from OpenTelemetry gets, besides <c>source=opentelemetry</c>.</summary>
    public static readonly LabelRule[] Labels =
    [
        new("service", ["service.name"]),
        new("agent", ["gen_ai.agent.name"]),
        new("model", ["gen_ai.request.model", "gen_ai.response.model", "model"]),
        new("user", ["user.id"]),
        new("organization", ["organization.id"]),
    ];

    /// <summary>The session name: the agent's name, else the service's.</summary>
    public static readonly string[] NameAttributes = ["gen_ai.agent.name", "service.name"];

    public const string SourceLabel = "source";
    public const string SourceValue = "opentelemetry";
    /// <summary>The <c>source</c> of a session its agent's hooks created (its telemetry, arriving later, makes it <see cref="SourceValue"/>).</summary>
    public const string HookSourceValue = "hooks";

    // Identity attributes, in order of preference (docs/otel.md).
    public const string SessionIdAttribute = "session.id";
    public const string ConversationIdAttribute = "gen_ai.conversation.id";
    /// <summary>Codex names its session (the thread its hooks send as <c>session_id</c>) this way, and sends no <c>session.id</c>.</summary>
    public const string CodexConversationIdAttribute = "conversation.id";
    public const string OperationAttribute = "gen_ai.operation.name";
    public const string EventNameAttribute = "event.name";
    public const string EventSequenceAttribute = "event.sequence";
    public const string ErrorTypeAttribute = "error.type";

    /// <summary>Every attribute key the mapping reads: <see cref="AttributeIndex"/> picks out these and no others.</summary>
    public static IEnumerable<string> AttributeKeys()
    {
        string[] identity = [SessionIdAttribute, CodexConversationIdAttribute, ConversationIdAttribute, OperationAttribute, EventNameAttribute, EventSequenceAttribute, ErrorTypeAttribute];
        var usage = LogEvents.Values.Select(r => r.Usage).Append(SpanUsage).OfType<UsageRule>()
            .SelectMany(u => u.Input.Concat(u.Output).Append(u.CostUsd).OfType<string>());
        var errors = LogEvents.Values.Select(r => r.ErrorAttribute).OfType<string>();
        var types = MetricUsage.Values.Select(r => r.TypeAttribute).OfType<string>();
        return identity.Concat(Labels.SelectMany(l => l.Attributes)).Concat(NameAttributes).Concat(usage).Concat(errors).Concat(types);
    }
}
