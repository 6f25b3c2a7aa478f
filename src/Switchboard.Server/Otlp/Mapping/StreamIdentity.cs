using System.Globalization;
using System.Text;
using Google.Protobuf;
using Switchboard.Otlp.Proto.Common;

namespace Switchboard.Server.Otlp.Mapping;

/// <summary>
/// A metric stream's identity, as the OpenTelemetry data model identifies a stream: where it comes from (its resource's
/// attributes and its instrumentation scope's name, version and attributes: its origin), its session, its metric and its
/// point's attributes, each set in key order, hashed to 32 hex digits. The same on every node, and in every export of
/// the same exporter.
/// The origin is written once per resource and scope, never per point. A point's identity takes it whole while it is at
/// most <see cref="MaxOriginLength"/> characters, as every stream's id has since issue 44 (so live streams keep their
/// totals); a longer one enters as the digests of its resource's and its scope's part, each made once (a metric name past
/// <see cref="MaxMetricNameLength"/> likewise). So a point costs its own attributes and at most that much besides,
/// however large its resource is. One instance serves one request, its buffers reused from point to point.
/// </summary>
internal sealed class StreamIdentity
{
    /// <summary>The longest origin a point's identity takes whole: far above what an SDK's resource and scope come to.</summary>
    public const int MaxOriginLength = 4096;

    /// <summary>The longest metric name a point's identity takes whole: the OpenTelemetry API's limit for an instrument's name.</summary>
    public const int MaxMetricNameLength = 255;

    private readonly StringBuilder _text = new();
    private readonly StringWriter _writer;
    private readonly List<(string Key, int Index)> _order = [];
    private readonly Encoder _utf8 = Encoding.UTF8.GetEncoder();
    private byte[] _bytes = [];
    private Part? _resource; // the current resource's part of an origin, made when a point first needs it

    public StreamIdentity() => _writer = new StringWriter(_text, CultureInfo.InvariantCulture);

    /// <summary>Starts the next resource of the request.</summary>
    public void StartResource() => _resource = null;

    /// <summary>The origin of a scope's streams under the current resource, as a point's identity takes it (UTF-8, after a line break).</summary>
    public byte[] Origin(ResourceAttributes resource, AttributeIndex scopeAttributes, string scopeName, string scopeVersion)
    {
        _resource ??= Write("resource", resource.Index);
        var scopePart = Write($"\nscope\n{scopeName}\n{scopeVersion}", scopeAttributes);
        return Encoding.UTF8.GetBytes(_resource.Text is { } r && scopePart.Text is { } s && r.Length + s.Length <= MaxOriginLength
            ? "\n" + r + s
            : $"\nresource\nh:{Digest(_resource)}\nscope\nh:{Digest(scopePart)}");
    }

    /// <summary>A metric's name as its streams' identities take it.</summary>
    public static string Metric(string name) => name.Length <= MaxMetricNameLength ? name : "h:" + TelemetryText.Hex(Encoding.UTF8.GetBytes(name));

    /// <summary>
    /// The identity of the stream of <paramref name="sessionId"/>, <paramref name="metric"/> (as <see cref="Metric"/> made
    /// it) and a point's <paramref name="attributes"/> from <paramref name="origin"/>; with <paramref name="previous"/>, also
    /// the identity streams had before they included their origin (<see cref="Switchboard.Core.Writes.CumulativePoint.Previous"/>).
    /// </summary>
    public (string Stream, string? Previous) Of(byte[] origin, string sessionId, string metric, AttributeIndex attributes, bool previous)
    {
        _text.Clear().Append(sessionId).Append('\n').Append(metric);
        Append(_text, _writer, attributes);
        var length = Encode(_text, origin.Length);
        var before = previous ? TelemetryText.Hex(_bytes.AsSpan(0, length)) : null;
        origin.CopyTo(_bytes.AsSpan(length));
        return (TelemetryText.Hex(_bytes.AsSpan(0, length + origin.Length)), before);
    }

    /// <summary>A resource's or a scope's part of an origin: its text while an origin may take it whole, else (null) only its digest.</summary>
    private sealed record Part(string? Text, string? Digest);

    /// <summary>
    /// A part, written in a builder of its own (a huge resource leaves nothing large in the one the points reuse); one too
    /// long to be taken whole is hashed from the builder's pieces, never copied into one string.
    /// </summary>
    private Part Write(string head, AttributeIndex attributes)
    {
        var text = new StringBuilder(head);
        using var writer = new StringWriter(text, CultureInfo.InvariantCulture);
        Append(text, writer, attributes);
        if (text.Length <= MaxOriginLength)
        {
            return new Part(text.ToString(), null);
        }

        var length = Encode(text, 0);
        return new Part(null, TelemetryText.Hex(_bytes.AsSpan(0, length)));
    }

    private static string Digest(Part part) => part.Digest ?? TelemetryText.Hex(Encoding.UTF8.GetBytes(part.Text!));

    /// <summary>
    /// The attributes read (at most the cap of them), in key order (of two with one key, the first first), one per line,
    /// each value as its protobuf JSON, written straight into the text.
    /// </summary>
    private void Append(StringBuilder text, StringWriter writer, AttributeIndex attributes)
    {
        var source = attributes.Read;
        _order.Clear();
        for (var i = 0; i < source.Count; i++)
        {
            _order.Add((Encoding.UTF8.GetString(source[i].Key.Span), i));
        }

        _order.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key) is var order and not 0 ? order : a.Index.CompareTo(b.Index));
        foreach (var (key, index) in _order)
        {
            text.Append('\n').Append(key).Append('=');
            if (source[index].Value is not null)
            {
                // Each value as Google.Protobuf writes it in JSON, as identities always were: only the points of agent
                // metrics come here, so decoding their attributes once more costs little.
                JsonFormatter.Default.Format(KeyValue.Parser.ParseFrom(source[index].Bytes.Span).Value, writer);
            }
        }
    }

    /// <summary>
    /// <paramref name="text"/> as UTF-8 into the reused buffer, with room for <paramref name="spare"/> bytes after it;
    /// returns its length. Piece by piece, the same bytes as the whole text's, without copying it into one string.
    /// </summary>
    private int Encode(StringBuilder text, int spare)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(text.Length) + spare;
        if (_bytes.Length < needed)
        {
            _bytes = new byte[Math.Max(needed, 2 * _bytes.Length)];
        }

        _utf8.Reset();
        var length = 0;
        foreach (var chunk in text.GetChunks())
        {
            length += _utf8.GetBytes(chunk.Span, _bytes.AsSpan(length), flush: false);
        }

        return length + _utf8.GetBytes([], _bytes.AsSpan(length), flush: true);
    }
}
