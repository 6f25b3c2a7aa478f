using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.DurableStreams;

/// <summary>
/// Two nodes on one PostgreSQL database serve one stream: appends on A reach an SSE reader and a long-poll reader on B,
/// in order and complete, through the database's notifications (no reader polls).
/// </summary>
public sealed class StreamNodesTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task AppendsOnOneNodeReachSseAndLongPollReadersOnTheOtherInOrderAndComplete()
    {
        var database = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var a = await SwitchboardServer.StartAsync(store: b => b.UsePostgres(database));
        await using var b = await SwitchboardServer.StartAsync(o => o.Streams.LongPollTimeout = TimeSpan.FromMinutes(5), store: s => s.UsePostgres(database));
        var start = (await a.Http.PutAsync("shared", null, "application/json")).Header("Stream-Next-Offset");
        await using var sse = await SseReader.OpenAsync(b.Http, $"/v1/stream/shared?offset={start}&live=sse");
        await sse.NextEventAsync(r => r.Event == "control");

        const int Messages = 50;
        var longPolled = FollowWithLongPollsAsync(b.Http, start!, Messages);
        for (var i = 0; i < Messages; i++)
        {
            (await a.Http.AppendAsync("shared", $"{{\"n\":{i}}}", "application/json")).Status.ShouldBe(204);
        }

        var streamed = new List<int>();
        while (streamed.Count < Messages)
        {
            var data = (await sse.NextEventAsync(r => r.Event == "data")).Data!;
            streamed.AddRange(Numbers(data));
        }

        streamed.ShouldBe(Enumerable.Range(0, Messages));
        (await longPolled.WaitAsync(TestTimeouts.Long)).ShouldBe(Enumerable.Range(0, Messages));
    }

    private static async Task<List<int>> FollowWithLongPollsAsync(HttpClient http, string offset, int count)
    {
        var seen = new List<int>();
        while (seen.Count < count)
        {
            var reply = await http.ReadAsync("shared", $"?offset={offset}&live=long-poll");
            if (reply.Status == 200)
            {
                seen.AddRange(Numbers(reply.Body));
            }

            offset = reply.Header("Stream-Next-Offset")!;
        }

        return seen;
    }

    private static IEnumerable<int> Numbers(string jsonArray) =>
        System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetBytes(jsonArray)).RootElement.EnumerateArray().Select(e => e.GetProperty("n").GetInt32()).ToList();
}
