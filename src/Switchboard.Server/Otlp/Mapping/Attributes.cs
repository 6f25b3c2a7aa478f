using System.Globalization;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// The conversions the mapping needs from an OTLP attribute value (numbers sent as strings, and the reverse). A string
/// longer than <see cref="TelemetryText.MaxValueLength"/> is no number: it is not parsed.
/// </summary>
internal static class Attributes
{
    /// <summary>The value as text: strings as they are, numbers and booleans formatted invariantly; null for others.</summary>
    public static string? Text(WireValue? value) => value?.Kind switch
    {
        ValueKind.String => value.Value.String,
        ValueKind.Int => value.Value.Int.ToString(CultureInfo.InvariantCulture),
        ValueKind.Double => value.Value.Double.ToString(CultureInfo.InvariantCulture),
        ValueKind.Bool => value.Value.Int != 0 ? "true" : "false",
        _ => null,
    };

    public static long? Integer(WireValue? value) => value switch
    {
        { Kind: ValueKind.Int } v => v.Int,
        { Kind: ValueKind.Double } v when double.IsFinite(v.Double) && Math.Abs(v.Double) < 9e18 => (long)Math.Round(v.Double),
        { Kind: ValueKind.String } v when Parsable(v) && long.TryParse(v.String, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        { Kind: ValueKind.String } v when Parsable(v) && double.TryParse(v.String, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && double.IsFinite(d) && Math.Abs(d) < 9e18 => (long)Math.Round(d),
        _ => null,
    };

    public static decimal? Number(WireValue? value) => value switch
    {
        { Kind: ValueKind.Int } v => v.Int,
        { Kind: ValueKind.Double } v when double.IsFinite(v.Double) && Math.Abs(v.Double) < 1e15 => (decimal)v.Double,
        { Kind: ValueKind.String } v when Parsable(v) && decimal.TryParse(v.String, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>
    /// A string short enough to be a number: its UTF-8 length bounds its length in characters, which decides when it
    /// is within the cap; past the cap in bytes it is decoded to count.
    /// </summary>
    private static bool Parsable(WireValue value) =>
        value.Utf8.Length <= TelemetryText.MaxValueLength || value.String.Length <= TelemetryText.MaxValueLength;
}
