using Microsoft.CodeAnalysis;

namespace Switchboard.Generators;

/// <summary>
/// One plain session field as declared in <c>SessionWire</c>: a record of strings and flags, so the incremental
/// pipeline compares it by value and regenerates only when a declaration changes.
/// </summary>
internal sealed record PlainField(string Member, string Name, string Kind, bool Nullable, bool Create, bool Update, string Description)
{
    /// <summary>Why the declaration cannot be generated (a kind no request can set); null when it can.</summary>
    public string? Problem { get; init; }

    /// <summary>Where it is declared, for <see cref="Problem"/>.</summary>
    public Location? Location { get; init; }

    /// <summary>The C# type of the value on a session and a create request, e.g. <c>int</c> or <c>string?</c>.</summary>
    public string Type => BaseType + (Nullable ? "?" : "");

    /// <summary>The C# type without its nullability.</summary>
    public string BaseType => Kinds.TypeOf(Kind);

    /// <summary>The C# type that leaves the field out: <c>T?</c>, or <c>Optional&lt;T?&gt;</c> when null is a value of it.</summary>
    public string OptionalType => Nullable ? $"Optional<{Type}>" : BaseType + "?";

    /// <summary>The shared codec, <c>WireCodecs.X</c>.</summary>
    public string Codec => "WireCodecs." + (Nullable ? "Nullable" : "") + Kind;

    /// <summary>True when the value is checked against the field's limits (<c>Minimum</c>, <c>MaxLength</c>, text rules).</summary>
    public bool HasLimits => Kind is "Int32" or "Int64" or "Text";

    /// <summary>The field's binding to a session record with a <c>with</c> setter (each side's <c>Bind</c>).</summary>
    public string Binding => $"Bind({Row}, {Codec}, s => s.{Member}, (s, v) => s with {{ {Member} = v }})";

    /// <summary>The expression of the field's <c>SessionWire</c> row.</summary>
    public string Row => "SessionWire." + Member;
}
