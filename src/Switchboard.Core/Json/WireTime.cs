using System.Text.Json;

namespace Switchboard.Core.Json;

/// <summary>Timestamps on the wire: UTC with milliseconds, e.g. <c>2026-11-21T10:15:00.123Z</c>.</summary>
internal static class WireTime
{
    /// <summary>The current time, truncated to whole milliseconds so stored and sent values agree.</summary>
    public static DateTimeOffset Now(TimeProvider time) => Truncate(time.GetUtcNow());

    /// <summary>Truncates to whole milliseconds, in UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    /// <summary>Writes a timestamp as a JSON string.</summary>
    public static void Write(Utf8JsonWriter writer, DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[32];
        writer.WriteStringValue(buffer[..Sessions.SessionWire.FormatTime(value, buffer)]);
    }

    /// <summary>Writes a nullable timestamp as a JSON string or null.</summary>
    public static void Write(Utf8JsonWriter writer, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            Write(writer, v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Writes <c>"name": "timestamp"</c>.</summary>
    public static void Write(Utf8JsonWriter writer, string name, DateTimeOffset value)
    {
        writer.WritePropertyName(name);
        Write(writer, value);
    }

    /// <summary>Writes <c>"name": "timestamp"</c>, or <c>"name": null</c>.</summary>
    public static void Write(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        writer.WritePropertyName(name);
        Write(writer, value);
    }

    /// <summary>Parses a wire timestamp.</summary>
    public static DateTimeOffset Parse(string text) => Switchboard.Core.Sessions.SessionWire.ParseTime(text);
}
