using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Switchboard.Server.Streams;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The unmodified <c>@durable-streams/client</c> from npm (pinned in tests/streams/package-lock.json) against a real
/// server: it follows the event log's <c>topics/sessions</c> from an offset with every event exactly once, and reads a
/// session's <c>output</c> stream across a <c>kill -9</c> and restart of the server without a gap or a repeat.
/// </summary>
public sealed class DurableStreamsClientTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TheClientFollowsTopicsSessionsFromAnOffsetWithEveryEventExactlyOnce()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await CreateSessionAsync(server.Http, "a");
        await CreateSessionAsync(server.Http, "b");
        using var first = await server.Http.GetAsync("/v1/stream/topics/sessions?offset=-1");
        var offset = first.Headers.GetValues("Stream-Next-Offset").Single();
        await CreateSessionAsync(server.Http, "c");
        await CreateSessionAsync(server.Http, "d");

        var follower = FollowAsync(new Uri(server.BaseAddress, "/v1/stream/topics/sessions"), offset, count: 4, text: false);
        await TestTimeouts.Eventually(() => server.Get<StreamWatch>().Waiters >= 1 || follower.IsCompleted, "the client to wait live at the head");
        await CreateSessionAsync(server.Http, "e");
        await CreateSessionAsync(server.Http, "f");

        var batches = await follower;
        var events = batches.SelectMany(b => JsonDocument.Parse(b).RootElement.EnumerateArray().Select(e => e.Clone())).ToList();
        events.Select(e => e.GetProperty("seq").GetInt64()).ShouldBe([3L, 4L, 5L, 6L]);
        events.Select(e => e.GetProperty("session_id").GetString()).ShouldBe(["c", "d", "e", "f"]);
    }

    [Fact]
    public async Task TheClientReadsASessionsOutputAcrossAKill9AndRestartWithoutGapsOrRepeats()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var expected = new StringBuilder();
        var progress = Path.Combine(data.Path, "follow-progress");
        Task<List<string>> follower;
        await using (var server = await ServerProcess.StartAsync(data.Path, urls: urls))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            await CreateSessionAsync(http, "agent");
            await SendAsync(http, HttpMethod.Put, "/v1/stream/sessions/agent/output", "step 0\n");
            expected.Append("step 0\n");
            for (var i = 1; i <= 3; i++)
            {
                await SendAsync(http, HttpMethod.Post, "/v1/stream/sessions/agent/output", $"step {i}\n");
                expected.Append($"step {i}\n");
            }

            follower = FollowAsync(new Uri(server.BaseAddress, "/v1/stream/sessions/agent/output"), "-1", count: expected.Length + 14, text: true,
                live: "long-poll", progress: progress);
            // Killed once the client has read what was there and is following live.
            await TestTimeouts.Eventually(() => File.Exists(progress) || follower.IsCompleted, "the client to read the stream so far");
            follower.IsCompleted.ShouldBeFalse();
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, urls: urls);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        await SendAsync(again, HttpMethod.Post, "/v1/stream/sessions/agent/output", "after restart\n");
        expected.Append("after restart\n");

        var text = string.Concat((await follower).Select(b => JsonSerializer.Deserialize<string>(b)));
        text.ShouldBe(expected.ToString());
    }

    private static async Task CreateSessionAsync(HttpClient http, string id)
    {
        using var response = await http.PostAsync("/api/sessions", new StringContent($"{{\"id\":\"{id}\"}}", Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).ShouldBe(201, await response.Content.ReadAsStringAsync());
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "text/plain") };
        using var response = await http.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs tests/streams/follow.mjs until it has <paramref name="count"/> messages (or characters); the payload of each batch it printed.</summary>
    private static async Task<List<string>> FollowAsync(Uri url, string offset, int count, bool text, string live = "true", string? progress = null)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = DurableStreamsSuite.Dir };
        start.ArgumentList.Add("follow.mjs");
        start.Environment["FOLLOW_URL"] = url.ToString();
        start.Environment["FOLLOW_OFFSET"] = offset;
        start.Environment["FOLLOW_COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["FOLLOW_TEXT"] = text ? "1" : "0";
        start.Environment["FOLLOW_LIVE"] = live;
        if (progress is not null)
        {
            start.Environment["FOLLOW_PROGRESS"] = progress;
        }

        var (exit, output) = await QuietBoundedProcess.RunAsync(start, Quiet, "the Durable Streams client test needs Node.js (.ci/run installs it).");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        (exit, lines.LastOrDefault()?.Trim()).ShouldBe((0, "done"), output);
        return [.. lines.Where(l => l.StartsWith("batch ", StringComparison.Ordinal)).Select(l => l.Split(' ', 3)[2])];
    }
}
