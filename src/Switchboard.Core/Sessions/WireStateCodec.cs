using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>A state enum (Core's or the client's: both follow <see cref="SessionWire.StateNames"/>), written by name.</summary>
internal sealed class WireStateCodec<TState> : WireCodec<TState> where TState : struct, Enum
{
    /// <inheritdoc />
    public override WireFieldKind Kind => WireFieldKind.State;
    /// <inheritdoc />
    public override bool Nullable => false;

    /// <summary>The wire name of a state.</summary>
    public static string Name(TState state) => SessionWire.StateNames[Unsafe.As<TState, int>(ref state)];

    /// <summary>Parses a wire name (case-sensitive).</summary>
    public static bool TryParse(string? name, out TState state)
    {
        var index = Array.IndexOf(SessionWire.StateNames, name);
        state = Unsafe.As<int, TState>(ref index);
        if (index < 0)
        {
            state = default;
        }

        return index >= 0;
    }

    /// <inheritdoc />
    public override bool Equal(TState a, TState b) => Unsafe.As<TState, int>(ref a) == Unsafe.As<TState, int>(ref b);
    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, TState value) => writer.WriteString(name, Name(value));
    /// <inheritdoc />
    public override TState Read(JsonElement e) => Parse(e.GetString());

    private static TState Parse(string? name) =>
        TryParse(name, out var state) ? state : throw new FormatException($"Unknown session state '{name}'.");

#if !SWITCHBOARD_CLIENT
    /// <inheritdoc />
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, TState value) => row.Text(ordinal, column, Name(value));
    /// <inheritdoc />
    public override TState FromColumn(ISessionRowReader row, int ordinal)
    {
        var text = row.Text(ordinal);
        return TryParse(text, out var state) ? state : throw new InvalidDataException($"Unknown state '{text}'.");
    }
#endif
}
