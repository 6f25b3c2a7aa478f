using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// A node on a full disk (issue 30): the real executable on a real, full tmpfs. It refuses writes with 503 naming the
/// disk while running, comes back after <c>kill -9</c> although the disk is still full, serves reads and live streams
/// meanwhile, says so on <c>/readyz</c>, and takes writes again by itself once there is space, without a restart.
/// </summary>
public sealed class FullDiskTests
{
    [Fact]
    public async Task ANodeStartsOnAFullDiskServesReadsAndStreamsRefusesWritesNamingTheDiskAndRecoversByItself()
    {
        using var fs = new SmallFilesystem(2048);
        var data = Path.Combine(fs.Path, "data");
        string[] noGrpc = ["--otlp-grpc-urls", ""];
        var acknowledged = new List<string>();
        string filler;

        await using (var first = await ServerProcess.StartAsync(data, noGrpc))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TestTimeouts.Default };
            for (var i = 0; i < 3; i++)
            {
                await http.CreateAsync($"before-{i}");
                acknowledged.Add($"before-{i}");
            }

            // The disk fills up under the running node: writes go on until the log cannot grow, then answer 503.
            filler = fs.Fill();
            (int Status, JsonElement Body, HttpResponseMessage Response) refused = default;
            for (var i = 0; i < 200 && refused.Status != 503; i++)
            {
                var r = await http.PostAsync("/api/sessions", new { id = $"filling-{i}" });
                if (r.Status == 201)
                {
                    acknowledged.Add($"filling-{i}");
                }

                refused = r;
            }

            refused.ShouldBeProblem(503);
            ShouldNameTheFullDisk(refused.Body.Str("detail"), data);
            refused.Body.Str("code").ShouldBe("store_unavailable");

            await first.KillAsync();
        }

        fs.HasSpace().ShouldBeFalse("the disk is still full when the node starts again");
        await using var node = await ServerProcess.StartAsync(data, noGrpc);
        using var api = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TestTimeouts.Default };

        // Not ready, and why.
        var ready = await api.GetJsonAsync("/readyz");
        ready.Status.ShouldBe(503);
        ShouldNameTheFullDisk(ready.Body.Str("status"), data);
        ready.Body.GetProperty("store").GetProperty("writable").GetBoolean().ShouldBeFalse();

        // Reads: every acknowledged write is there.
        foreach (var id in acknowledged)
        {
            (await api.GetJsonAsync($"/api/sessions/{id}")).Status.ShouldBe(200, id);
        }

        var events = await api.EventsAsync();
        events.Count.ShouldBe(acknowledged.Count);
        var epoch = events[0].Str("epoch");

        // Live streams: a WebSocket resumes from the start of the log, an SSE stream from Last-Event-ID.
        await using var socket = await PhoenixClient.ConnectAsync(node.WebSocketUri);
        var joined = await socket.JoinAsync("sessions", new { since = 0, epoch });
        joined.Status.ShouldBe("ok", joined.Raw);
        for (var seq = 1; seq <= acknowledged.Count; seq++)
        {
            var expected = seq;
            await socket.WaitForAsync(f => f.Event == "session_created" && f.Seq == expected);
        }

        await using var sse = await SseReader.OpenAsync(api, "/api/stream?topics=sessions", lastEventId: "1");
        (await sse.NextEventAsync(r => r.Event == "session_created")).Id.ShouldBe("2");

        // Writes: 503 naming the disk, as problem+json, and nothing written.
        var write = await api.PostAsync("/api/sessions", new { id = "while-full" });
        write.ShouldBeProblem(503);
        write.Body.Str("code").ShouldBe("store_unavailable");
        ShouldNameTheFullDisk(write.Body.Str("detail"), data);
        (await api.GetJsonAsync("/api/sessions/while-full")).Status.ShouldBe(404);

        // Space again: ready without a restart and without a write to nudge it, then writes go through and stream live.
        File.Delete(filler);
        await TestTimeouts.Eventually(async () => (await api.GetJsonAsync("/readyz")).Status == 200, "/readyz ready once there is space",
            TestTimeouts.Long);
        await api.CreateAsync("after-space");
        var live = await socket.WaitForAsync(f => f.Event == "session_created" && f.Payload.GetProperty("session_id").GetString() == "after-space");
        live.Seq.ShouldBe(acknowledged.Count + 1, "the log goes on without a gap");
        (await sse.NextEventAsync(r => r.Event == "session_created" && r.Data!.Contains("after-space", StringComparison.Ordinal)))
            .Id.ShouldBe((acknowledged.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        node.Output.ShouldContain("The store opened but cannot write");
    }

    private static void ShouldNameTheFullDisk(string text, string dataDirectory)
    {
        text.ShouldContain("disk");
        text.ShouldContain("full");
        text.ShouldContain(dataDirectory);
    }
}
