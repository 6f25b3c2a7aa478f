using System.Diagnostics;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

public sealed class SseTests
{
    [Fact]
    public async Task CurlShowsLiveEvents()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-N", "-s", new Uri(server.BaseAddress, "/api/stream?topics=sessions").ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        Process curl;
        try
        {
            curl = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("curl is not installed; .ci/run installs it.", ex);
        }

        using var _ = curl;
        var lines = new List<string>();
        curl.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add(e.Data);
                }
            }
        };
        curl.BeginOutputReadLine();
        try
        {
            bool Seen(string text)
            {
                lock (lines)
                {
                    return lines.Contains(text);
                }
            }

            await TestTimeouts.Eventually(() => Seen("event: joined"), "the joined record");
            await server.Http.CreateAsync("via-curl");
            await TestTimeouts.Eventually(() => Seen("event: session_created"), "a live event in curl's output");
            lock (lines)
            {
                var at = lines.IndexOf("event: session_created");
                lines[at - 1].ShouldBe("id: 1");
                lines[at + 1].ShouldStartWith("data: {\"seq\":1,");
                lines[at + 1].ShouldContain("\"via-curl\"");
            }
        }
        finally
        {
            curl.Kill();
        }
    }

    [Fact]
    public async Task AReconnectWithLastEventIdResumesExactly()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("s");
        long lastId;
        await using (var first = await SseReader.OpenAsync(server.Http, "/api/stream?topics=sessions"))
        {
            first.Response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
            var joined = JsonDocument.Parse((await first.NextEventAsync(r => r.Event == "joined")).Data!).RootElement;
            joined.GetProperty("resumed").GetBoolean().ShouldBeFalse();
            joined.GetProperty("sessions").GetArrayLength().ShouldBe(1);
            await server.Http.PostAsync("/api/sessions/s/usage", new { input_tokens = 1 });
            lastId = long.Parse((await first.NextEventAsync(r => r.Event == "session_updated")).Id!);
            lastId.ShouldBe(2);
        }

        for (var i = 0; i < 3; i++)
        {
            await server.Http.PostAsync("/api/sessions/s/usage", new { input_tokens = 1 });
        }

        await server.Http.CaughtUpAsync(5); // so all three are replayed, none live

        await using var again = await SseReader.OpenAsync(server.Http, "/api/stream?topics=sessions", lastEventId: lastId.ToString());
        var resumed = JsonDocument.Parse((await again.NextEventAsync(r => r.Event == "joined")).Data!).RootElement;
        resumed.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        resumed.GetProperty("replayed").GetInt32().ShouldBe(3);
        await server.Http.PostAsync("/api/sessions/s/terminate");
        var ids = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await again.NextEventAsync(r => r.Id is not null)).Id);
        }

        ids.ShouldBe(["3", "4", "5", "6"]);
    }

    [Fact]
    public async Task AnEventOnSeveralSubscribedTopicsIsSentOnce()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await using var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=sessions,session:x,summary");
        (await sse.NextEventAsync(r => r.Event == "joined")).Data!.ShouldContain("\"topic\":\"sessions\"");
        await server.Http.CreateAsync("x");
        await server.Http.CreateAsync("y");
        var records = new List<SseRecord>();
        while (records.Count(r => r.Id is not null) < 2 || !records.Any(r => r.Event == "summary"))
        {
            records.Add(await sse.NextEventAsync());
        }

        // A repeat of either event would follow at once.
        records.AddRange(await sse.DrainAsync(TimeSpan.FromMilliseconds(500)));
        records.Where(r => r.Id is not null).Select(r => r.Id).ShouldBe(["1", "2"]);
        records.ShouldContain(r => r.Event == "summary" && r.Id == null);
    }

    [Fact]
    public async Task AHeartbeatCommentGoesOutEveryFifteenSeconds()
    {
        var time = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: time);
        await using var sse = await SseReader.OpenAsync(server.Http, "/api/stream?topics=summary");
        await sse.NextEventAsync(r => r.Event == "joined");
        time.Advance(TimeSpan.FromSeconds(14));
        (await sse.DrainAsync(TimeSpan.FromMilliseconds(300))).ShouldNotContain(r => r.Comment == "heartbeat");
        time.Advance(TimeSpan.FromSeconds(1));
        (await sse.NextAsync()).Comment.ShouldBe("heartbeat");
    }

    [Fact]
    public async Task BadStreamRequestsAreProblems()
    {
        await using var server = await SwitchboardServer.StartAsync();
        (await server.Http.GetJsonAsync("/api/stream")).ShouldBeProblem(400, "topics");
        (await server.Http.GetJsonAsync("/api/stream?topics=rooms")).ShouldBeProblem(400, "topics");
        (await server.Http.GetJsonAsync("/api/stream?topics=sessions&since=abc")).ShouldBeProblem(400, "since");
    }
}
