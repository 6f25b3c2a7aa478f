using System.Globalization;
using Switchboard.Otlp.Proto.Common;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// The conversions the mapping needs from an OTLP attribute value (numbers sent as strings, and the reverse). A string
/// longer than <see cref="TelemetryText.MaxValueLength"/> is no number: it is not parsed.
/// </summary>
internal static class Attributes
{
    /// <summary>The value as text: strings as they are, numbers and booleans formatted invariantly; null for others.</summary>
    public static string? Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        _ => null,
    };

    public static long? Integer(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue) && Math.Abs(value.DoubleValue) < 9e18 => (long)Math.Round(value.DoubleValue),
        AnyValue.ValueOneofCase.StringValue when Parsable(value) && long.TryParse(value.StringValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        AnyValue.ValueOneofCase.StringValue when Parsable(value) && double.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d) && Math.Abs(d) < 9e18 => (long)Math.Round(d),
        _ => null,
    };

    public static decimal? Number(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue) && Math.Abs(value.DoubleValue) < 1e15 => (decimal)value.DoubleValue,
        AnyValue.ValueOneofCase.StringValue when Parsable(value) && decimal.TryParse(value.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static bool Parsable(AnyValue value) => value.StringValue.Length <= TelemetryText.MaxValueLength;
}
