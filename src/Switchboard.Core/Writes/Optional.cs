namespace Switchboard.Core.Writes;

/// <summary>A field of a partial update: absent, or present with a value that may be null.</summary>
public readonly record struct Optional<T>(T Value)
{
    /// <summary>True when the field was given.</summary>
    public bool HasValue { get; } = true;

    /// <summary>The field was not given.</summary>
    public static Optional<T> Absent => default;

    /// <summary>Wraps a given value.</summary>
    public static implicit operator Optional<T>(T value) => new(value);
}
