using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>One field of the session.</summary>
internal sealed class WireField
{
    internal WireField(string? name, WireFieldKind kind, bool nullable, WireFieldUse use, string? column, string description)
    {
        Name = name;
        EncodedName = JsonEncodedText.Encode(name ?? column ?? "");
        Kind = kind;
        Nullable = nullable;
        Uses = use;
        Column = column;
        Description = description;
        Columns = column is null ? [] : kind == WireFieldKind.Subtree ? [.. SessionWire.SubtreeColumnSuffixes.Select(p => column + "_" + p)] : [column];
    }

    /// <summary>The snake_case wire name; null for a field that is only stored.</summary>
    public string? Name { get; }

    /// <summary>The wire name, pre-encoded for <see cref="Utf8JsonWriter"/>.</summary>
    public JsonEncodedText EncodedName { get; }

    /// <summary>The JSON kind.</summary>
    public WireFieldKind Kind { get; }

    /// <summary>True when null is a value of the field.</summary>
    public bool Nullable { get; }

    /// <summary>Where the field takes part.</summary>
    public WireFieldUse Uses { get; }

    /// <summary>The store column; null for a derived field. A subtree field's columns are named after it (<see cref="Columns"/>).</summary>
    public string? Column { get; }

    /// <summary>The store columns, in binding order: one for most kinds, five for <see cref="WireFieldKind.Subtree"/>, none when derived.</summary>
    public string[] Columns { get; }

    /// <summary>What it means, for the API document.</summary>
    public string Description { get; }

    /// <summary>The smallest value of an integer field; null for no bound.</summary>
    public long? Minimum { get; init; }

    /// <summary>The most characters of a text field; null for no bound.</summary>
    public int? MaxLength { get; init; }

    /// <summary>True when every flag of <paramref name="use"/> is set.</summary>
    public bool Has(WireFieldUse use) => (Uses & use) == use;

    /// <inheritdoc />
    public override string ToString() => Name ?? Column ?? "?";
}
