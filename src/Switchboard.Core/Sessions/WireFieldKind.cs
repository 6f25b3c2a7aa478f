namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>How a field is written on the wire (and so in the OpenAPI schema and in a store column).</summary>
internal enum WireFieldKind
{
    /// <summary>A JSON string; a TEXT column.</summary>
    Text,
    /// <summary>A state name from <see cref="SessionWire.StateNames"/>; a TEXT column.</summary>
    State,
    /// <summary>A JSON object of string values, keys in ordinal order; a TEXT column of that JSON.</summary>
    Labels,
    /// <summary>Any JSON object; a TEXT column of compact JSON.</summary>
    JsonObject,
    /// <summary>A 32-bit JSON integer.</summary>
    Int32,
    /// <summary>A 64-bit JSON integer.</summary>
    Int64,
    /// <summary>A JSON number, trailing zeros removed.</summary>
    Decimal,
    /// <summary>A UTC timestamp string with milliseconds, e.g. 2026-11-21T10:15:00.123Z.</summary>
    Time,
    /// <summary>true or false.</summary>
    Bool,
    /// <summary>
    /// Totals over a subtree: <c>{sessions, active, input_tokens, output_tokens, total_tokens, cost_usd}</c>; five store
    /// columns (<c>{column}_sessions</c>, <c>_active</c>, <c>_input_tokens</c>, <c>_output_tokens</c>, <c>_cost_usd</c>).
    /// </summary>
    Subtree,
    /// <summary>A session's durable streams: a JSON array of <c>{name, content_type, closed}</c>; a TEXT column of that JSON.</summary>
    Streams,
}
