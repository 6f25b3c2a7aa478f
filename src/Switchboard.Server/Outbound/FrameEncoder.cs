using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Switchboard.Core.Events;
using Switchboard.Core.Json;

namespace Switchboard.Server.Outbound;

/// <summary>
/// Encodes envelopes and Phoenix V2 frames. An event's envelope is encoded once; each topic then wraps
/// those bytes as <c>[null,null,topic,type,envelope]</c> into one buffer that every subscriber shares.
/// </summary>
internal static class FrameEncoder
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>
    /// The envelope <c>{seq, epoch, type, session_id, at, data}</c> of a logged event. For a label-scoped subscriber
    /// (<paramref name="scoped"/>) the fleet-wide <c>active_count</c> of a created or terminated session is left out: it
    /// would count sessions the subscriber cannot see.
    /// </summary>
    public static byte[] Envelope(EventRecord e, string epoch, bool scoped = false)
    {
        var s = Scratch.Rent();
        var w = s.Writer;
        w.WriteStartObject();
        w.WriteNumber("seq", e.Seq);
        w.WriteString("epoch", epoch);
        w.WriteString("type", e.Type);
        w.WriteString("session_id", e.SessionId);
        WireTime.Write(w, "at", e.At);
        w.WritePropertyName("data");
        if (scoped && CarriesFleetCount(e.Type))
        {
            WriteWithoutFleetCount(w, e.Data);
        }
        else
        {
            w.WriteRawValue(e.Data.Span, skipInputValidation: true);
        }

        w.WriteEndObject();
        return s.ToArray();
    }

    /// <summary>True for the events whose data holds the fleet's <c>active_count</c>.</summary>
    public static bool CarriesFleetCount(string type) => type is EventTypes.SessionCreated or EventTypes.SessionTerminated;

    private static void WriteWithoutFleetCount(Utf8JsonWriter w, ReadOnlyMemory<byte> data)
    {
        using var doc = JsonDocument.Parse(data);
        w.WriteStartObject();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (!property.NameEquals("active_count"))
            {
                property.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>The envelope of a summary: <c>seq</c> and <c>session_id</c> are null, <paramref name="writeData"/> writes <c>data</c>.</summary>
    public static byte[] SummaryEnvelope(Action<Utf8JsonWriter> writeData, string epoch, DateTimeOffset at) =>
        DerivedEnvelope(EventTypes.Summary, writeData, epoch, at);

    /// <summary>
    /// The envelope of a message derived from state, not logged (a summary, the webhooks' state): <c>seq</c> and
    /// <c>session_id</c> are null, <paramref name="writeData"/> writes <c>data</c>.
    /// </summary>
    public static byte[] DerivedEnvelope(string type, Action<Utf8JsonWriter> writeData, string epoch, DateTimeOffset at)
    {
        var s = Scratch.Rent();
        var w = s.Writer;
        w.WriteStartObject();
        w.WriteNull("seq");
        w.WriteString("epoch", epoch);
        w.WriteString("type", type);
        w.WriteNull("session_id");
        WireTime.Write(w, "at", at);
        w.WritePropertyName("data");
        writeData(w);
        w.WriteEndObject();
        return s.ToArray();
    }

    /// <summary>
    /// A broadcast frame <c>[null,null,topic,type,envelope]</c>. A summary conflates with the topic's previous one; an event
    /// only when given <paramref name="usageKey"/> (a usage-only update, see <see cref="SendQueue"/>).
    /// </summary>
    public static OutboundFrame Broadcast(string topic, string type, byte[] envelope, long seq, string? usageKey = null)
    {
        var s = Scratch.Rent();
        var w = s.Writer;
        w.WriteStartArray();
        w.WriteNullValue();
        w.WriteNullValue();
        w.WriteStringValue(topic);
        w.WriteStringValue(type);
        w.WriteRawValue(envelope, skipInputValidation: true);
        w.WriteEndArray();
        var kind = seq > 0 ? FrameKind.Event : FrameKind.Replaceable;
        return s.ToFrame(kind, seq, type, envelope.Length, kind == FrameKind.Replaceable ? topic : usageKey);
    }

    /// <summary>A reply <c>[jr, r, topic, "phx_reply", {status, response}]</c>; refs are raw JSON, echoed as they came.</summary>
    public static OutboundFrame Reply(string? joinRef, string? @ref, string topic, string status, Action<Utf8JsonWriter>? response) =>
        Push(joinRef, @ref, topic, "phx_reply", w =>
        {
            w.WriteStartObject();
            w.WriteString("status", status);
            w.WritePropertyName("response");
            if (response is null)
            {
                w.WriteStartObject();
                w.WriteEndObject();
            }
            else
            {
                response(w);
            }

            w.WriteEndObject();
        });

    /// <summary>A frame to one connection <c>[jr, r, topic, event, payload]</c>; refs are raw JSON text (a client's, echoed) or null.</summary>
    public static OutboundFrame Push(string? joinRef, string? @ref, string topic, string @event, Action<Utf8JsonWriter> payload,
        FrameKind kind = FrameKind.Reply)
    {
        var s = Scratch.Rent();
        var w = s.Writer;
        w.WriteStartArray();
        WriteRef(w, joinRef);
        WriteRef(w, @ref);
        w.WriteStringValue(topic);
        w.WriteStringValue(@event);
        w.Flush();
        var payloadStart = (int)w.BytesCommitted + 1; // after the separating comma
        payload(w);
        w.WriteEndArray();
        w.Flush();
        // The payload is the last element, so SSE can carry it as the record's data.
        return s.ToFrame(kind, 0, @event, (int)w.BytesCommitted - 1 - payloadStart, null);
    }

    /// <summary>A ref exactly as the client sent it (it was parsed from valid JSON), or null.</summary>
    private static void WriteRef(Utf8JsonWriter w, string? raw)
    {
        if (raw is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(raw, skipInputValidation: true);
        }
    }

    /// <summary>A WebSocket close frame with a status code and a short reason.</summary>
    public static OutboundFrame Close(ushort code, string reason)
    {
        var reasonBytes = Encoding.UTF8.GetBytes(reason.Length > 120 ? reason[..120] : reason);
        var buffer = new byte[OutboundFrame.HeaderReserve + 2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(OutboundFrame.HeaderReserve), code);
        reasonBytes.CopyTo(buffer, OutboundFrame.HeaderReserve + 2);
        return new OutboundFrame(buffer, 2 + reasonBytes.Length, FrameKind.Close, 0, null, 0, 0, opcode: 0x8);
    }

    /// <summary>A reusable writer per thread; frames are copied out into exact-size buffers.</summary>
    private sealed class Scratch
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);

        // Frames are JSON text, never HTML: emit UTF-8 as is, so refs and names come back byte for byte.
        public Scratch() => Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            SkipValidation = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

        public Utf8JsonWriter Writer { get; }

        public static Scratch Rent()
        {
            var s = t_scratch ??= new Scratch();
            s._buffer.ResetWrittenCount();
            s.Writer.Reset(s._buffer);
            return s;
        }

        public byte[] ToArray()
        {
            Writer.Flush();
            return _buffer.WrittenSpan.ToArray();
        }

        public OutboundFrame ToFrame(FrameKind kind, long seq, string? type, int envelopeLength, string? conflationKey)
        {
            Writer.Flush();
            var length = _buffer.WrittenCount;
            var bytes = new byte[OutboundFrame.HeaderReserve + length];
            _buffer.WrittenSpan.CopyTo(bytes.AsSpan(OutboundFrame.HeaderReserve));
            // The envelope is the last element, right before the closing bracket.
            var envelopeStart = OutboundFrame.HeaderReserve + length - 1 - envelopeLength;
            return new OutboundFrame(bytes, length, kind, seq, type, envelopeStart, envelopeLength, conflationKey);
        }
    }
}
