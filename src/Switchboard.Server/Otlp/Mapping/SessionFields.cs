namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// The labels and the name a record gives its session (<see cref="TelemetryMap.Labels"/>, <see cref="TelemetryMap.NameAttributes"/>):
/// each the first of its attributes with a non-empty clean value, where for each attribute the record's own value hides its
/// resource's. A resource's values are cleaned once, when it is loaded (<see cref="ResourceAttributes"/>), so a record
/// costs only its own attributes.
/// </summary>
internal static class SessionFields
{
    // Resolved once: every record reads them.
    public static readonly (string Label, AttributeKey[] Keys)[] Labels =
        [.. TelemetryMap.Labels.Select(rule => (rule.Label, rule.Attributes.Select(AttributeIndex.Key).ToArray()))];

    /// <summary>The name's attributes, by rank (the agent's name before the service's).</summary>
    public static readonly AttributeKey[] Name = [.. TelemetryMap.NameAttributes.Select(AttributeIndex.Key)];

    /// <summary>Each of <paramref name="keys"/>' value in <paramref name="attributes"/>, made clean, into <paramref name="values"/> (null: absent or empty).</summary>
    public static void Read(AttributeKey[] keys, AttributeIndex attributes, string?[] values, int max)
    {
        for (var rank = 0; rank < keys.Length; rank++)
        {
            values[rank] = Clean(attributes.String(keys[rank]), max);
        }
    }

    /// <summary>
    /// The first of <paramref name="keys"/>, below rank <paramref name="below"/>, with a value: the record's own when it
    /// has the attribute, else its resource's (<paramref name="resource"/>, as <see cref="Read"/> made them). Rank -1 and
    /// null when none has one.
    /// </summary>
    public static (int Rank, string? Value) First(AttributeKey[] keys, AttributeIndex record, string?[] resource, int max, int below = int.MaxValue)
    {
        for (var rank = 0; rank < keys.Length && rank < below; rank++)
        {
            if (record.String(keys[rank]) is { } own)
            {
                if (Clean(own, max) is { } value)
                {
                    return (rank, value);
                }
            }
            else if (resource[rank] is { } value)
            {
                return (rank, value);
            }
        }

        return (-1, null);
    }

    private static string? Clean(string? value, int max) => value is not null && TelemetryText.Clean(value, max) is { Length: > 0 } clean ? clean : null;
}
