using System.Text.Json;

namespace Switchboard.Core.Sessions;

// Linked into Switchboard.Client with SessionWire (see SessionWire.cs): names no Core or Client type; store parts under !SWITCHBOARD_CLIENT.
/// <summary>Codecs of the kinds both sides read the same way.</summary>
internal static class WireCodecs
{
    /// <summary>A string that is never null.</summary>
    public static readonly WireCodec<string> Text = new TextCodec();
    /// <summary>A string or null.</summary>
    public static readonly WireCodec<string?> NullableText = new NullableTextCodec();
    /// <summary>A label map.</summary>
    public static readonly WireCodec<IReadOnlyDictionary<string, string>> LabelMap = new LabelsCodec();
    /// <summary>A 32-bit integer.</summary>
    public static readonly WireCodec<int> Int32 = new Int32Codec();
    /// <summary>A 32-bit integer or null.</summary>
    public static readonly WireCodec<int?> NullableInt32 = new NullableInt32Codec();
    /// <summary>A 64-bit integer.</summary>
    public static readonly WireCodec<long> Int64 = new Int64Codec();
    /// <summary>A decimal number.</summary>
    public static readonly WireCodec<decimal> Decimal = new DecimalCodec();
    /// <summary>A timestamp.</summary>
    public static readonly WireCodec<DateTimeOffset> Time = new TimeCodec();
    /// <summary>A timestamp or null.</summary>
    public static readonly WireCodec<DateTimeOffset?> NullableTime = new NullableTimeCodec();
    /// <summary>true or false.</summary>
    public static readonly WireCodec<bool> Bool = new BoolCodec();
}

file sealed class TextCodec : WireCodec<string>
{
    public override WireFieldKind Kind => WireFieldKind.Text;
    public override bool Nullable => false;
    public override bool Equal(string a, string b) => string.Equals(a, b);
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string value) => writer.WriteString(name, value);
    public override string Read(JsonElement e) => e.GetString() ?? throw new FormatException("A string was expected.");
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string value) => row.Text(ordinal, column, value);
    public override string FromColumn(ISessionRowReader row, int ordinal) => row.Text(ordinal);
#endif
}

file sealed class NullableTextCodec : WireCodec<string?>
{
    public override WireFieldKind Kind => WireFieldKind.Text;
    public override bool Nullable => true;
    public override bool Equal(string? a, string? b) => string.Equals(a, b);
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, string? value) => writer.WriteString(name, value);
    public override string? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, string? value) => row.Text(ordinal, column, value);
    public override string? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Text(ordinal);
#endif
}

file sealed class LabelsCodec : WireCodec<IReadOnlyDictionary<string, string>>
{
    public override WireFieldKind Kind => WireFieldKind.Labels;
    public override bool Nullable => false;
    public override bool Equal(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) => SessionWire.LabelsEqual(a, b);

    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyDictionary<string, string> value)
    {
        writer.WritePropertyName(name);
        SessionWire.WriteLabels(writer, value);
    }

    public override IReadOnlyDictionary<string, string> Read(JsonElement e) => SessionWire.ReadLabels(e);
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, IReadOnlyDictionary<string, string> value) =>
        row.Text(ordinal, column, SessionWire.LabelsToText(value));
    public override IReadOnlyDictionary<string, string> FromColumn(ISessionRowReader row, int ordinal) =>
        SessionWire.LabelsFromText(row.Text(ordinal));
#endif
}

file sealed class Int32Codec : WireCodec<int>
{
    public override WireFieldKind Kind => WireFieldKind.Int32;
    public override bool Nullable => false;
    public override bool Equal(int a, int b) => a == b;
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, int value) => writer.WriteNumber(name, value);
    public override int Read(JsonElement e) => e.GetInt32();
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, int value) => row.Int32(ordinal, column, value);
    public override int FromColumn(ISessionRowReader row, int ordinal) => row.Int32(ordinal);
#endif
}

file sealed class NullableInt32Codec : WireCodec<int?>
{
    public override WireFieldKind Kind => WireFieldKind.Int32;
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

file sealed class Int64Codec : WireCodec<long>
{
    public override WireFieldKind Kind => WireFieldKind.Int64;
    public override bool Nullable => false;
    public override bool Equal(long a, long b) => a == b;
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, long value) => writer.WriteNumber(name, value);
    public override long Read(JsonElement e) => e.GetInt64();
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, long value) => row.Int64(ordinal, column, value);
    public override long FromColumn(ISessionRowReader row, int ordinal) => row.Int64(ordinal);
#endif
}

file sealed class DecimalCodec : WireCodec<decimal>
{
    public override WireFieldKind Kind => WireFieldKind.Decimal;
    public override bool Nullable => false;
    public override bool Equal(decimal a, decimal b) => a == b;
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, decimal value) => writer.WriteNumber(name, SessionWire.Normalize(value));
    public override decimal Read(JsonElement e) => e.GetDecimal();
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, decimal value) => row.Decimal(ordinal, column, SessionWire.Normalize(value));
    public override decimal FromColumn(ISessionRowReader row, int ordinal) => SessionWire.Normalize(row.Decimal(ordinal));
#endif
}

file sealed class TimeCodec : WireCodec<DateTimeOffset>
{
    public override WireFieldKind Kind => WireFieldKind.Time;
    public override bool Nullable => false;
    public override bool Equal(DateTimeOffset a, DateTimeOffset b) => a == b;

    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[32];
        writer.WriteString(name, buffer[..SessionWire.FormatTime(value, buffer)]);
    }

    public override DateTimeOffset Read(JsonElement e) => SessionWire.ParseTime(e.GetString() ?? throw new FormatException("A timestamp was expected."));
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset value) => row.Time(ordinal, column, value);
    public override DateTimeOffset FromColumn(ISessionRowReader row, int ordinal) => row.Time(ordinal);
#endif
}

file sealed class NullableTimeCodec : WireCodec<DateTimeOffset?>
{
    public override WireFieldKind Kind => WireFieldKind.Time;
    public override bool Nullable => true;
    public override bool Equal(DateTimeOffset? a, DateTimeOffset? b) => a == b;

    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            Span<byte> buffer = stackalloc byte[32];
            writer.WriteString(name, buffer[..SessionWire.FormatTime(v, buffer)]);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public override DateTimeOffset? Read(JsonElement e) => e.ValueKind == JsonValueKind.String ? SessionWire.ParseTime(e.GetString()!) : null;
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, DateTimeOffset? value) => row.Time(ordinal, column, value);
    public override DateTimeOffset? FromColumn(ISessionRowReader row, int ordinal) => row.IsNull(ordinal) ? null : row.Time(ordinal);
#endif
}

file sealed class BoolCodec : WireCodec<bool>
{
    public override WireFieldKind Kind => WireFieldKind.Bool;
    public override bool Nullable => false;
    public override bool Equal(bool a, bool b) => a == b;
    public override void Write(Utf8JsonWriter writer, JsonEncodedText name, bool value) => writer.WriteBoolean(name, value);
    public override bool Read(JsonElement e) => e.GetBoolean();
#if !SWITCHBOARD_CLIENT
    public override void ToColumn(ISessionRowWriter row, int ordinal, string column, bool value) => row.Bool(ordinal, column, value);
    public override bool FromColumn(ISessionRowReader row, int ordinal) => row.Bool(ordinal);
#endif
}
