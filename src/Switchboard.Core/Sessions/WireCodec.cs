using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>
/// Reads and writes one kind of value, typed so nothing is boxed: JSON on both sides, store columns in Core. A
/// codec's <see cref="Kind"/> and nullability must match the field it is bound to (checked when the table is built).
/// </summary>
internal abstract class WireCodec<T>
{
    /// <summary>The kind this codec writes.</summary>
    public abstract WireFieldKind Kind { get; }

    /// <summary>True when null is a value.</summary>
    public abstract bool Nullable { get; }

    /// <summary>True when both values are the same on the wire.</summary>
    public virtual bool Equal(T a, T b) => EqualityComparer<T>.Default.Equals(a, b);

    /// <summary>Writes <c>"name": value</c>.</summary>
    public abstract void Write(Utf8JsonWriter writer, JsonEncodedText name, T value);

    /// <summary>Reads a value written by <see cref="Write"/>.</summary>
    public abstract T Read(JsonElement e);

#if !SWITCHBOARD_CLIENT
    /// <summary>Binds the value to a store column.</summary>
    public abstract void ToColumn(ISessionRowWriter row, int ordinal, string column, T value);

    /// <summary>Reads the value of a store column.</summary>
    public abstract T FromColumn(ISessionRowReader row, int ordinal);
#endif
}
