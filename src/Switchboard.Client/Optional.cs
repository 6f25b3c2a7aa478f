namespace Switchboard.Client;

/// <summary>
/// A field of a partial update that may be left out or set, possibly to null. <c>default</c> means "leave as is";
/// assigning any value (including null) means "set it".
/// </summary>
public readonly record struct Optional<T>
{
    /// <summary>Wraps a value to set.</summary>
    public Optional(T value)
    {
        Value = value;
        HasValue = true;
    }

    /// <summary>The value to set; meaningful only when <see cref="HasValue"/>.</summary>
    public T Value { get; }

    /// <summary>True when the field is set.</summary>
    public bool HasValue { get; }

    /// <summary>Sets the field to <paramref name="value"/>.</summary>
    public static implicit operator Optional<T>(T value) => new(value);

    /// <summary>The value when set, otherwise <paramref name="fallback"/>.</summary>
    public T Or(T fallback) => HasValue ? Value : fallback;
}
