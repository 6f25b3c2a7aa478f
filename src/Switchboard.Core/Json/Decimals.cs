namespace Switchboard.Core.Json;

/// <summary>Decimal helpers for money values.</summary>
internal static class Decimals
{
    /// <summary>Removes trailing zeros so 1.50 is written as 1.5 and stored text stays canonical.</summary>
    public static decimal Normalize(decimal value) => Switchboard.Core.Sessions.SessionWire.Normalize(value);
}
