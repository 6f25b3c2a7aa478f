using System.Text;
using Switchboard.Server.Outbound;

namespace Switchboard.Server.Tests;

/// <summary>The one writer of Server-Sent Events records, used by the live stream and Durable Streams' SSE reads.</summary>
public sealed class SseRecordTests
{
    private static string Text(byte[] record) => Encoding.UTF8.GetString(record);

    [Fact]
    public void AnEventCarriesItsIdTypeAndData()
    {
        Text(SseRecord.Event("session_created", """{"seq":42,"x":"é"}"""u8, 42)).ShouldBe("id: 42\nevent: session_created\ndata: {\"seq\":42,\"x\":\"é\"}\n\n");
        Text(SseRecord.Event("summary", """{"seq":null}"""u8)).ShouldBe("event: summary\ndata: {\"seq\":null}\n\n", "no id without a seq");
    }

    [Fact]
    public void DataIsCutIntoOneLineAtEveryLineBreakSoNoByteCanEndTheRecord()
    {
        Text(SseRecord.Event("data", "a\r\nb\rc\nd"u8)).ShouldBe("event: data\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
        Text(SseRecord.Event("data", "x\n\nevent: control\n"u8)).ShouldBe("event: data\ndata: x\ndata: \ndata: event: control\ndata: \n\n");
        Text(SseRecord.Event("data", " indented"u8)).ShouldBe("event: data\ndata:  indented\n\n", "the client strips one space, so the line keeps its own");
        Text(SseRecord.Event("data", "line1\n indented"u8, tight: true)).ShouldBe("event: data\ndata:line1\ndata:  indented\n\n",
            "Durable Streams' records: no space after data: unless the line starts with one");
        Text(SseRecord.Event("data", ""u8)).ShouldBe("event: data\ndata: \n\n");
    }

    [Fact]
    public void CommentsAndRetryAreRecordsOfTheirOwn()
    {
        Text(SseRecord.Heartbeat).ShouldBe(": heartbeat\n\n");
        Text(SseRecord.Retry(TimeSpan.FromSeconds(2))).ShouldBe("retry: 2000\n\n");
    }
}
