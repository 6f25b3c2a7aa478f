namespace Switchboard.LoadGen.Clients;

/// <summary>
/// The SignalR JSON hub protocol over a WebSocket with negotiation skipped: a handshake record, invocations and
/// completions, keep-alive pings every 15 s (the server drops clients silent for 30 s). Records end with 0x1E.
/// </summary>
internal sealed class SignalRProtocol : SubscriberProtocol
{
    private const byte RecordSeparator = 0x1E;
    private static readonly byte[] PingRecord = "{\"type\":6}\u001e"u8.ToArray();

    public override string PathAndQuery => "/hub";

    public override TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(15);

    public override ReadOnlyMemory<byte> Heartbeat => PingRecord;

    public override (string Text, string ReplyToken)? Handshake => ("{\"protocol\":\"json\",\"version\":1}\u001e", "}\u001e");

    public override (string Text, string ReplyToken) Join(string topic, int joinNumber)
    {
        var id = $"j{joinNumber}";
        return ($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Join\",\"arguments\":[\"{topic}\"]}}\u001e", $"\"invocationId\":\"{id}\"");
    }

    public override void CheckReply(string? topic, string reply)
    {
        if (reply.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(topic is null ? "SignalR handshake failed: " + reply : $"join of {topic} failed: {reply}");
        }
    }

    protected override void Dispatch(ReadOnlySpan<byte> message, IRecordSink sink, long timestamp, int client)
    {
        // One WebSocket message may carry several records.
        while (message.Length > 0)
        {
            var end = message.IndexOf(RecordSeparator);
            var record = end < 0 ? message : message[..end];
            message = end < 0 ? default : message[(end + 1)..];
            if (!record.StartsWith("{\"type\":1,\"target\":\""u8))
            {
                continue; // pings, completions
            }

            var kind = record[20..].StartsWith("session_detail"u8) ? RecordKind.Session : RecordKind.Global;
            sink.OnRecord(record, kind, timestamp, client);
        }
    }
}
