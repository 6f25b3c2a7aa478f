using System.Buffers;
using System.Globalization;
using System.Text;

namespace Switchboard.Server.Outbound;

/// <summary>
/// The one writer of Server-Sent Events records, for the live stream (<c>/api/stream</c>) and Durable Streams' SSE reads
/// alike: the <c>id:</c>, <c>event:</c> and <c>data:</c> fields, comments and <c>retry:</c>. Data is cut into one
/// <c>data: </c> line at every CR, LF or CRLF, so no byte of it can end a record or start a field; the space after the
/// colon is the one a client strips, so a line that starts with a space keeps it. Durable Streams' records are
/// <c>tight</c>: <c>data:</c> with no space unless the line starts with one, as its protocol's conformance suite reads
/// them. Compact JSON has no line breaks, so an envelope is one line.
/// </summary>
internal static class SseRecord
{
    /// <summary>The comment the live stream sends when idle, so proxies and clients see it is alive.</summary>
    public static readonly byte[] Heartbeat = Comment("heartbeat");

    /// <summary>A record of <paramref name="type"/> carrying <paramref name="data"/> (UTF-8); <paramref name="id"/> above 0 is its <c>id:</c>.</summary>
    public static byte[] Event(string type, ReadOnlySpan<byte> data, long id = 0, bool tight = false)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + type.Length + 48);
        Event(buffer, type, data, id, tight);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>As <see cref="Event(string, ReadOnlySpan{byte}, long)"/>, into <paramref name="buffer"/>.</summary>
    public static void Event(IBufferWriter<byte> buffer, string type, ReadOnlySpan<byte> data, long id = 0, bool tight = false)
    {
        if (id > 0)
        {
            buffer.Write("id: "u8);
            Utf8(buffer, id.ToString(CultureInfo.InvariantCulture));
            buffer.Write("\n"u8);
        }

        buffer.Write("event: "u8);
        Utf8(buffer, type);
        buffer.Write("\n"u8);
        while (true)
        {
            var end = data.IndexOfAny((byte)'\r', (byte)'\n');
            var line = end < 0 ? data : data[..end];
            buffer.Write(!tight || (line.Length > 0 && line[0] == (byte)' ') ? "data: "u8 : "data:"u8);
            buffer.Write(line);
            buffer.Write("\n"u8);
            if (end < 0)
            {
                break;
            }

            data = data[(end + (data[end] == (byte)'\r' && end + 1 < data.Length && data[end + 1] == (byte)'\n' ? 2 : 1))..];
        }

        buffer.Write("\n"u8);
    }

    /// <summary>A comment line (<c>: text</c>): clients ignore it; it keeps the connection seen as alive.</summary>
    public static byte[] Comment(string text) => Encoding.UTF8.GetBytes(": " + text + "\n\n");

    /// <summary>How long a client waits before it reconnects (<c>retry:</c>).</summary>
    public static byte[] Retry(TimeSpan after) =>
        Encoding.ASCII.GetBytes("retry: " + ((long)after.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "\n\n");

    private static void Utf8(IBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
