namespace Switchboard.LoadGen.Clients;

/// <summary>
/// Phoenix Channels V2 JSON, as the phoenix npm client speaks it: join replies by ref, heartbeats every 30 s. A join
/// sends <paramref name="joinPayload"/> (given the topic and the join's number), <c>{}</c> when none is given.
/// </summary>
internal sealed class PhoenixProtocol(Func<string, int, string>? joinPayload = null) : SubscriberProtocol
{
    private static readonly byte[] HeartbeatFrame = """[null,"hb","phoenix","heartbeat",{}]"""u8.ToArray();

    public override string PathAndQuery => "/socket/websocket?vsn=2.0.0";

    public override TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(30);

    public override ReadOnlyMemory<byte> Heartbeat => HeartbeatFrame;

    public override (string Text, string ReplyToken) Join(string topic, int joinNumber)
    {
        var reference = $"j{joinNumber}";
        var payload = joinPayload?.Invoke(topic, joinNumber) ?? "{}";
        return ($$"""["{{reference}}","{{reference}}","{{topic}}","phx_join",{{payload}}]""", $$"""["{{reference}}","{{reference}}","{{topic}}","phx_reply",""");
    }

    public override void CheckReply(string? topic, string reply)
    {
        if (!reply.Contains("\"status\":\"ok\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"join of {topic} was refused: {reply[..Math.Min(reply.Length, 300)]}");
        }
    }

    protected override void Dispatch(ReadOnlySpan<byte> message, IRecordSink sink, long timestamp, int client)
    {
        // Broadcasts are [null,null,topic,type,envelope]; replies and pushes carry refs.
        if (!message.StartsWith("[null,null,\""u8))
        {
            return;
        }

        var topic = message[12..];
        RecordKind kind;
        if (topic.StartsWith("session:"u8))
        {
            kind = RecordKind.Session;
        }
        else if (topic.StartsWith("sessions\",\"summary\""u8))
        {
            kind = RecordKind.Summary;
        }
        else
        {
            kind = RecordKind.Global;
        }

        sink.OnRecord(message, kind, timestamp, client);
    }
}
