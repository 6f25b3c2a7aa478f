using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Transports.WebSockets.ConnectionLevel;

/// <summary>The head of an HTTP/1.1 request read straight off a connection: just enough for a WebSocket handshake.</summary>
internal sealed record RequestHead(string Target, string Path, string Query, HeaderDictionary Headers)
{
    /// <summary>Largest request head read at the connection level; larger ones get 431.</summary>
    public const int MaxBytes = 16 * 1024;

    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    public enum Outcome
    {
        /// <summary>Not a <c>GET</c> of the socket path: leave every byte to Kestrel's HTTP handling.</summary>
        NotOurs,
        /// <summary>Cannot tell yet: read more.</summary>
        NeedMore,
        /// <summary>A complete head of a <c>GET</c> of the socket path.</summary>
        Ours,
        /// <summary>A head larger than <see cref="MaxBytes"/>.</summary>
        TooLarge,
        /// <summary>The path matched but the head is not valid HTTP/1.1.</summary>
        Malformed,
        /// <summary>
        /// Any request whose path holds <c>%00</c>: Kestrel refuses it with a bare 400 before any application code runs,
        /// so the connection level answers it instead, with a problem.
        /// </summary>
        NulInPath,
    }

    /// <summary>Classifies what has arrived so far; for <see cref="Outcome.Ours"/> also parses it and says where it ends.</summary>
    public static Outcome TryRead(in ReadOnlySequence<byte> buffer, byte[] requestLinePrefix, out RequestHead? head, out SequencePosition end)
    {
        head = null;
        end = buffer.Start;
        switch (ScanPathForNul(buffer))
        {
            case PathScan.Nul:
                return Outcome.NulInPath;
            case PathScan.Unfinished:
                return Outcome.NeedMore;
        }

        var probe = (int)Math.Min(buffer.Length, requestLinePrefix.Length + 1);
        Span<byte> start = stackalloc byte[probe];
        buffer.Slice(0, probe).CopyTo(start);
        var known = Math.Min(probe, requestLinePrefix.Length);
        if (!start[..known].SequenceEqual(requestLinePrefix.AsSpan(0, known)))
        {
            return Outcome.NotOurs;
        }

        if (probe <= requestLinePrefix.Length)
        {
            return Outcome.NeedMore;
        }

        if (start[^1] is not ((byte)' ' or (byte)'?'))
        {
            return Outcome.NotOurs; // e.g. /socket/websocketx
        }

        // HTTP/1.1 lines end in CRLF; a bare LF (which Kestrel is also told to refuse) is how request smuggling starts.
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> text, EndOfHead))
        {
            return HasBareLineFeed(buffer) ? Outcome.Malformed : buffer.Length > MaxBytes ? Outcome.TooLarge : Outcome.NeedMore;
        }

        if (HasBareLineFeed(text))
        {
            return Outcome.Malformed;
        }

        if (text.Length > MaxBytes)
        {
            return Outcome.TooLarge;
        }

        end = reader.Position;
        head = Parse(Encoding.Latin1.GetString(text));
        return head is null ? Outcome.Malformed : Outcome.Ours;
    }

    private enum PathScan
    {
        Clean,
        Nul,
        Unfinished,
    }

    /// <summary>
    /// Looks for <c>%00</c> in the request target's path (before <c>?</c>), the one thing in a target that Kestrel refuses
    /// itself; its decoded NUL would reach no route anyway. A request line that has not arrived that far is unfinished,
    /// unless it is already longer than a head may be (then it is Kestrel's to refuse).
    /// </summary>
    private static PathScan ScanPathForNul(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var inTarget = false;
        var percent = 0; // characters of "%00" matched so far
        while (reader.Consumed < MaxBytes && reader.TryRead(out var b))
        {
            if (!inTarget)
            {
                inTarget = b == (byte)' ';
                if (!inTarget && b is < 0x21 or > 0x7E)
                {
                    return PathScan.Clean; // no HTTP/1.1 method (TLS, say): Kestrel's to refuse at once
                }

                continue;
            }

            if (b is (byte)' ' or (byte)'?' or (byte)'\r' or (byte)'\n')
            {
                return PathScan.Clean;
            }

            percent = b == (byte)'%' ? 1 : b == (byte)'0' && percent > 0 ? percent + 1 : 0;
            if (percent == 3)
            {
                return PathScan.Nul;
            }
        }

        return reader.Consumed < MaxBytes ? PathScan.Unfinished : PathScan.Clean;
    }

    private static bool HasBareLineFeed(in ReadOnlySequence<byte> buffer)
    {
        var previous = (byte)0;
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
            {
                if (b == (byte)'\n' && previous != (byte)'\r')
                {
                    return true;
                }

                previous = b;
            }
        }

        return false;
    }

    private static RequestHead? Parse(string text)
    {
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[2] != "HTTP/1.1")
        {
            return null;
        }

        var target = requestLine[1];
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var headers = new HeaderDictionary();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[..colon].Any(c => c is ' ' or '\t'))
            {
                return null;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            headers[name] = headers.TryGetValue(name, out var existing) ? Microsoft.Extensions.Primitives.StringValues.Concat(existing, value) : value;
        }

        return new RequestHead(target, q < 0 ? target : target[..q], q < 0 ? "" : target[q..], headers);
    }
}
