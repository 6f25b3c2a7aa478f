using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with the rest of SessionWire (see SessionWire.cs).
/// <summary>The codecs: how each kind of value is read and written, in JSON and (in Core) in a store row.</summary>
static partial class SessionWire
{
    /// <summary>
    /// Reads and writes one kind of value, typed so nothing is boxed: JSON on both sides, store columns in Core. A
    /// codec's <see cref="Kind"/> and nullability must match the field it is bound to (checked when the table is built).
    /// </summary>
    public abstract class Codec<T>
    {
        /// <summary>The kind this codec writes.</summary>
        public abstract Kind Kind { get; }

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

    /// <summary>Codecs of the kinds both sides read the same way.</summary>
    public static class Codecs
    {
        /// <summary>A string that is never null.</summary>
        public static readonly Codec<string> Text = new TextCodec();
        /// <summary>A string or null.</summary>
        public static readonly Codec<string?> NullableText = new NullableTextCodec();
        /// <summary>A label map.</summary>
        public static readonly Codec<IReadOnlyDictionary<string, string>> LabelMap = new LabelsCodec();
        /// <summary>A 32-bit integer.</summary>
        public static readonly Codec<int> Int32 = new Int32Codec();
        /// <summary>A 32-bit integer or null.</summary>
        public static readonly Codec<int?> NullableInt32 = new NullableInt32Codec();
        /// <summary>A 64-bit integer.</summary>
        public static readonly Codec<long> Int64 = new Int64Codec();
        /// <summary>A decimal number.</summary>
        public static readonly Codec<decimal> Decimal = new DecimalCodec();
        /// <summary>A timestamp.</summary>
        public static readonly Codec<DateTimeOffset> Time = new TimeCodec();
        /// <summary>A timestamp or null.</summary>
        public static readonly Codec<DateTimeOffset?> NullableTime = new NullableTimeCodec();
        /// <summary>true or false.</summary>
        public static readonly Codec<bool> Bool = new BoolCodec();
    }

    /// <summary>A state enum (Core's or the client's: both follow <see cref="StateNames"/>), written by name.</summary>
    public sealed class StateCodec<TState> : Codec<TState> where TState : struct, Enum
    {
        /// <inheritdoc />
        public override Kind Kind => Kind.State;
        /// <inheritdoc />
        public override bool Nullable => false;

        /// <summary>The wire name of a state.</summary>
        public static string Name(TState state) => StateNames[Unsafe.As<TState, int>(ref state)];

        /// <summary>Parses a wire name (case-sensitive).</summary>
        public static bool TryParse(string? name, out TState state)
        {
            var index = Array.IndexOf(StateNames, name);
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

    private sealed class TextCodec : Codec<string>
    {
        public override Kind Kind => Kind.Text;
        public override bool Nullable => false;
        public override bool Equal(string a, string b) => string.Equals(a, b);
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string value) => writer.WriteString(name, value);
        public override string Read(JsonElement e) => e.GetString() ?? throw new FormatException("A string was expected.");
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string value) => row.Text(ordinal, column, value);
        public override string FromColumn(ISessionRowReader row, int ordinal) => row.Text(ordinal);
#endif
    }

    private sealed class NullableTextCodec : Codec<string?>
    {
        public override Kind Kind => Kind.Text;
        public override bool Nullable => true;
        public override bool Equal(string? a, string? b) => string.Equals(a, b);
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string? value) => writer.WriteString(name, value);
        public override string? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string? value) => row.Text(ordinal, column, value);
        public override string? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Text(ordinal);
#endif
    }

    private sealed class LabelsCodec : Codec<IReadOnlyDictionary<string, string>>
    {
        public override Kind Kind => Kind.Labels;
        public override bool Nullable => false;
        public override bool Equal(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => LabelsEqual(a, b);

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyDictionary<string, string> value)
        {
            writer.WritePropertyName(name);
            WriteLabels(writer, value);
        }

        public override IReadOnlyDictionary<string, string> Read(JsonElement e) => ReadLabels(e);
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, IReadOnlyDictionary<string, string> value) =>
            row.Text(ordinal, column, LabelsToText(value));
        public override IReadOnlyDictionary<string, string> FromColumn(ISessionRowReader row, int ordinal) =>
            LabelsFromText(row.Text(ordinal));
#endif
    }

    private sealed class Int32Codec : Codec<int>
    {
        public override Kind Kind => Kind.Int32;
        public override bool Nullable => false;
        public override bool Equal(int a, int b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, int value) => writer.WriteNumber(name, value);
        public override int Read(JsonElement e) => e.GetInt32();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, int value) => row.Int32(ordinal, column, value);
        public override int FromColumn(ISessionRowReader row, int ordinal) => row.Int32(ordinal);
#endif
    }

    private sealed class NullableInt32Codec : Codec<int?>
    {
        public override Kind Kind => Kind.Int32;
        public override bool Nullable => true;
        public override bool Equal(int? a, int? b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, int? value)
        {
            if (value is { } v)
            {
                writer.WriteNumber(name, v);
            }
            else
            {
                writer.WriteNull(name);
            }
        }

        public override int? Read(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, int? value) => row.Int32(ordinal, column, value);
        public override int? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Int32(ordinal);
#endif
    }

    private sealed class Int64Codec : Codec<long>
    {
        public override Kind Kind => Kind.Int64;
        public override bool Nullable => false;
        public override bool Equal(long a, long b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, long value) => writer.WriteNumber(name, value);
        public override long Read(JsonElement e) => e.GetInt64();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, long value) => row.Int64(ordinal, column, value);
        public override long FromColumn(ISessionRowReader row, int ordinal) => row.Int64(ordinal);
#endif
    }

    private sealed class DecimalCodec : Codec<decimal>
    {
        public override Kind Kind => Kind.Decimal;
        public override bool Nullable => false;
        public override bool Equal(decimal a, decimal b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, decimal value) => writer.WriteNumber(name, Normalize(value));
        public override decimal Read(JsonElement e) => e.GetDecimal();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, decimal value) => row.Decimal(ordinal, column, Normalize(value));
        public override decimal FromColumn(ISessionRowReader row, int ordinal) => Normalize(row.Decimal(ordinal));
#endif
    }

    private sealed class TimeCodec : Codec<DateTimeOffset>
    {
        public override Kind Kind => Kind.Time;
        public override bool Nullable => false;
        public override bool Equal(DateTimeOffset a, DateTimeOffset b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset value)
        {
            Span<byte> buffer = stackalloc byte[32];
            writer.WriteString(name, buffer[..FormatTime(value, buffer)]);
        }

        public override DateTimeOffset Read(JsonElement e) => ParseTime(e.GetString() ?? throw new FormatException("A timestamp was expected."));
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset value) => row.Time(ordinal, column, value);
        public override DateTimeOffset FromColumn(ISessionRowReader row, int ordinal) => row.Time(ordinal);
#endif
    }

    private sealed class NullableTimeCodec : Codec<DateTimeOffset?>
    {
        public override Kind Kind => Kind.Time;
        public override bool Nullable => true;
        public override bool Equal(DateTimeOffset? a, DateTimeOffset? b) => a == b;

        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset? value)
        {
            if (value is { } v)
            {
                Span<byte> buffer = stackalloc byte[32];
                writer.WriteString(name, buffer[..FormatTime(v, buffer)]);
            }
            else
            {
                writer.WriteNull(name);
            }
        }

        public override DateTimeOffset? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? ParseTime(e.GetString()!) : null;
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset? value) => row.Time(ordinal, column, value);
        public override DateTimeOffset? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Time(ordinal);
#endif
    }

    private sealed class BoolCodec : Codec<bool>
    {
        public override Kind Kind => Kind.Bool;
        public override bool Nullable => false;
        public override bool Equal(bool a, bool b) => a == b;
        public override void Write(Utf8JsonWriter writer, JsonEncodedText name, bool value) => writer.WriteBoolean(name, value);
        public override bool Read(JsonElement e) => e.GetBoolean();
#if !SWITCHBOARD_CLIENT
        public override void ToColumn(ISessionRowWriter row, int ordinal, string column, bool value) => row.Bool(ordinal, column, value);
        public override bool FromColumn(ISessionRowReader row, int ordinal) => row.Bool(ordinal);
#endif
    }
}
