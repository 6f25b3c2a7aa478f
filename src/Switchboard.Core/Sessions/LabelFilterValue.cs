namespace Switchboard.Core.Sessions;

/// <summary>The values a label filter (of the API, SSE, a topic stream, or usage's <c>labels</c>) may ask for.</summary>
internal static class LabelFilterValue
{
    /// <summary>
    /// Why <paramref name="value"/> can be no label's value, so a filter asking for it is a mistake (and text a store
    /// could not compare: PostgreSQL refuses NUL); null when a label may hold it.
    /// </summary>
    public static string? Problem(string key, string value)
    {
        if (value.Length > SessionLimits.MaxLabelValueLength)
        {
            return $"the value of label filter '{key}' is {value.Length} characters long; a label's value is at most {SessionLimits.MaxLabelValueLength}.";
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                return $"the value of label filter '{key}' holds {(c == '\0' ? "a NUL character (U+0000)" : "half of a UTF-16 surrogate pair")} at character {i + 1}, " +
                    "which no label can hold; remove it.";
            }
        }

        return null;
    }
}
