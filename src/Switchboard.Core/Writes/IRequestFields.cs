namespace Switchboard.Core.Writes;

/// <summary>
/// A request body's fields, each read strictly by its type (a wrong type is the request's error, naming the field).
/// The generated reading of the plain session fields (<see cref="CreateSession"/>, <see cref="UpdateSession"/>) goes
/// through it, so the server's reader (<c>FieldReader</c>) gives them the same checks and problems as every other field.
/// </summary>
internal interface IRequestFields
{
    /// <summary>True when the body has the field.</summary>
    bool Has(string name);

    /// <summary>A string; null when absent.</summary>
    string? String(string name);

    /// <summary>A string or null; absent when the body has no such field.</summary>
    Optional<string?> NullableString(string name);

    /// <summary>A 32-bit integer; null when absent.</summary>
    int? Int(string name);

    /// <summary>A 32-bit integer or null; absent when the body has no such field.</summary>
    Optional<int?> NullableInt(string name);

    /// <summary>A 64-bit integer; null when absent.</summary>
    long? Long(string name);

    /// <summary>A number; null when absent.</summary>
    decimal? Decimal(string name);

    /// <summary>true or false; null when absent.</summary>
    bool? Bool(string name);
}
