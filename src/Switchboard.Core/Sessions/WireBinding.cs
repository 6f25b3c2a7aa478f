using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>One field bound to a side's session record.</summary>
internal abstract class WireBinding<TSession> where TSession : class
{
    private protected WireBinding(WireField field) => Field = field;

    /// <summary>The field.</summary>
    public WireField Field { get; }

    /// <summary>True when the field's value differs between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public abstract bool Differs(TSession a, TSession b);

    /// <summary>Writes <c>"name": value</c> of <paramref name="session"/>.</summary>
    public abstract void Write(Utf8JsonWriter writer, TSession session);

    /// <summary>Returns <paramref name="session"/> with the field set from JSON (unchanged for a derived field).</summary>
    public abstract TSession Read(TSession session, JsonElement value);

#if !SWITCHBOARD_CLIENT
    /// <summary>Binds the field's value to the store column at <paramref name="ordinal"/>.</summary>
    public abstract void ToColumn(ISessionRowWriter row, int ordinal, TSession session);

    /// <summary>Returns <paramref name="session"/> with the field set from the store column at <paramref name="ordinal"/>.</summary>
    public abstract TSession FromColumn(ISessionRowReader row, int ordinal, TSession session);
#endif

    /// <inheritdoc />
    public override string ToString() => Field.ToString();
}

/// <summary>A field bound with typed accessors: no boxing, no reflection, no allocation when diffing or writing.</summary>
internal sealed class WireBinding<TSession, T> : WireBinding<TSession> where TSession : class
{
    private readonly WireCodec<T> _codec;
    private readonly Func<TSession, T> _get;
    private readonly Func<TSession, T, TSession>? _set;

    /// <summary>Binds <paramref name="field"/>; <paramref name="set"/> is null for a derived field.</summary>
    public WireBinding(WireField field, WireCodec<T> codec, Func<TSession, T> get, Func<TSession, T, TSession>? set) : base(field)
    {
        if (codec.Kind != field.Kind || codec.Nullable != field.Nullable)
        {
            throw new InvalidOperationException(
                $"Session field '{field}' is declared {field.Kind}{(field.Nullable ? "?" : "")} but bound with a {codec.Kind}{(codec.Nullable ? "?" : "")} codec.");
        }

        if ((set is null) != field.Has(WireFieldUse.Derived))
        {
            throw new InvalidOperationException($"Session field '{field}' must have a setter exactly when it is not derived.");
        }

        _codec = codec;
        _get = get;
        _set = set;
    }

    /// <summary>The field's value.</summary>
    public T Get(TSession session) => _get(session);

    /// <inheritdoc />
    public override bool Differs(TSession a, TSession b) => !_codec.Equal(_get(a), _get(b));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TSession session) => _codec.Write(writer, Field.EncodedName, _get(session));

    /// <inheritdoc />
    public override TSession Read(TSession session, JsonElement value) => _set is null ? session : _set(session, _codec.Read(value));

#if !SWITCHBOARD_CLIENT
    /// <inheritdoc />
    public override void ToColumn(ISessionRowWriter row, int ordinal, TSession session) =>
        _codec.ToColumn(row, ordinal, Field.Column!, _get(session));

    /// <inheritdoc />
    public override TSession FromColumn(ISessionRowReader row, int ordinal, TSession session) =>
        _set is null ? session : _set(session, _codec.FromColumn(row, ordinal));
#endif
}
