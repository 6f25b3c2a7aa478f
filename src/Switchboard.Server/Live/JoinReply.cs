using System.Buffers;
using System.Text.Json;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Live;

/// <summary>
/// How a transport frames its join replies: data, not a callback. The live loop encodes the replies itself when it
/// answers a join in one trip, and the formats are Live's own code, so no transport code ever runs on the loop.
/// </summary>
internal abstract record JoinReply
{
    private JoinReply()
    {
    }

    /// <summary>A Phoenix channel's <c>phx_reply</c> with status <c>ok</c> and the result (a Phoenix join is one topic).</summary>
    public static JoinReply Phoenix(string? joinRef, string? @ref, string topic) => new PhoenixReply(joinRef, @ref, topic);

    /// <summary>An SSE stream's <paramref name="first"/> record, then one <c>joined</c> record per topic.</summary>
    public static JoinReply Sse(OutboundFrame first) => new SseReply(first);

    /// <summary>The frames that answer <paramref name="requests"/> with <paramref name="results"/> (one each, in order).</summary>
    public abstract IReadOnlyList<OutboundFrame> Encode(IReadOnlyList<JoinRequest> requests, IReadOnlyList<JoinResult> results);

    private sealed record PhoenixReply(string? JoinRef, string? Ref, string Topic) : JoinReply
    {
        public override IReadOnlyList<OutboundFrame> Encode(IReadOnlyList<JoinRequest> requests, IReadOnlyList<JoinResult> results) =>
            [FrameEncoder.Reply(JoinRef, Ref, Topic, "ok", results[0].Write)];
    }

    private sealed record SseReply(OutboundFrame First) : JoinReply
    {
        public override IReadOnlyList<OutboundFrame> Encode(IReadOnlyList<JoinRequest> requests, IReadOnlyList<JoinResult> results)
        {
            var frames = new List<OutboundFrame>(results.Count + 1) { First };
            for (var i = 0; i < results.Count; i++)
            {
                frames.Add(OutboundFrame.SseOnly(Joined(requests[i].Route.Topic, results[i])));
            }

            return frames;
        }

        private static byte[] Joined(string topic, JoinResult result)
        {
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                result.Write(writer, topic);
            }

            return SseRecord.Event("joined", buffer.WrittenSpan);
        }
    }
}
