using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>The parts of subtree totals, as both sides' totals types take them apart and build them.</summary>
internal readonly record struct WireSubtreeValues(long Sessions, long Active, long InputTokens, long OutputTokens, decimal CostUsd);

/// <summary>
/// Subtree totals (Core's or the client's type, each side passes how to take them apart and build them), written as
/// <c>{sessions, active, input_tokens, output_tokens, total_tokens, cost_usd}</c>. Also the shape of an event's
/// <c>subtree_delta</c>, where <c>active</c> may be negative.
/// </summary>
internal sealed class WireSubtreeCodec<T>(Func<T, WireSubtreeValues> parts, Func<WireSubtreeValues, T> build) : WireCodec<T>
{
    private static readonly JsonEncodedText SessionsName = JsonEncodedText.Encode("sessions");
    private static readonly JsonEncodedText ActiveName = JsonEncodedText.Encode("active");
    private static readonly JsonEncodedText InputTokensName = JsonEncodedText.Encode("input_tokens");
    private static readonly JsonEncodedText OutputTokensName = JsonEncodedText.Encode("output_tokens");
    private static readonly JsonEncodedText TotalTokensName = JsonEncodedText.Encode("total_tokens");
    private static readonly JsonEncodedText CostUsdName = JsonEncodedText.Encode("cost_usd");

    /// <inheritdoc />
    public override WireFieldKind Kind => WireFieldKind.Subtree;
    /// <inheritdoc />
    public override bool Nullable => false;
    /// <inheritdoc />
    public override bool Equal(T a, T b) => parts(a) == parts(b);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, T value)
    {
        writer.WritePropertyName(name);
        WriteValue(writer, value);
    }

    /// <summary>Writes the totals object alone.</summary>
    public void WriteValue(Utf8JsonWriter writer, T value)
    {
        var p = parts(value);
        writer.WriteStartObject();
        writer.WriteNumber(SessionsName, p.Sessions);
        writer.WriteNumber(ActiveName, p.Active);
        writer.WriteNumber(InputTokensName, p.InputTokens);
        writer.WriteNumber(OutputTokensName, p.OutputTokens);
        writer.WriteNumber(TotalTokensName, p.InputTokens + p.OutputTokens);
        writer.WriteNumber(CostUsdName, SessionWire.Normalize(p.CostUsd));
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public override T Read(JsonElement e) => build(new WireSubtreeValues(
        e.GetProperty("sessions").GetInt64(),
        e.GetProperty("active").GetInt64(),
        e.GetProperty("input_tokens").GetInt64(),
        e.GetProperty("output_tokens").GetInt64(),
        e.GetProperty("cost_usd").GetDecimal()));

#if !SWITCHBOARD_CLIENT
    /// <inheritdoc />
    /// <remarks>Binds <paramref name="ordinal"/> to <paramref name="ordinal"/> + 4, named <c>{column}_sessions</c> and so on.</remarks>
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, T value)
    {
        var p = parts(value);
        row.Int64(ordinal, column + "_sessions", p.Sessions);
        row.Int64(ordinal + 1, column + "_active", p.Active);
        row.Int64(ordinal + 2, column + "_input_tokens", p.InputTokens);
        row.Int64(ordinal + 3, column + "_output_tokens", p.OutputTokens);
        row.Decimal(ordinal + 4, column + "_cost_usd", SessionWire.Normalize(p.CostUsd));
    }

    /// <inheritdoc />
    public override T FromColumn(ISessionRowReader row, int ordinal) => build(new WireSubtreeValues(
        row.Int64(ordinal), row.Int64(ordinal + 1), row.Int64(ordinal + 2), row.Int64(ordinal + 3), SessionWire.Normalize(row.Decimal(ordinal + 4))));
#endif
}
