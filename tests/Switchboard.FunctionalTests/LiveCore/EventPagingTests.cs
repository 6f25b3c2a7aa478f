using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// <c>GET /api/events</c> followed by its own <c>next_since</c> while writes commit concurrently: a page never runs past
/// the <c>head_seq</c> it reports, so the follow-up is never refused with 410 and the pages join up with no gap.
/// </summary>
public sealed class EventPagingTests
{
    [Fact]
    public async Task FollowingNextSinceUnderConcurrentWritesIsNeverRefusedAndLeavesNoGap()
    {
        // Eight writers as fast as they go would meet the per-client write rate limit, which is not what this is about.
        await using var server = await SwitchboardServer.StartAsync(o => o.Http.WriteRateLimit = 0);
        await server.Http.CreateAsync("w");
        using var writing = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            while (!writing.IsCancellationRequested)
            {
                (await http.PostAsync("/api/sessions/w/usage", new { input_tokens = 1 })).Status.ShouldBe(200);
            }
        })).ToList();

        var seen = new List<long>();
        var since = 0L;
        var pages = 0;
        while (!writing.IsCancellationRequested || !writers.All(w => w.IsCompleted) || seen.Count == 0 || seen[^1] < await HeadAsync(server))
        {
            var (status, body, _) = await server.Http.GetJsonAsync($"/api/events?since={since}&limit=20");
            status.ShouldBe(200, $"page after {since}: {body}");
            var headSeq = body.Long("head_seq");
            var events = body.GetProperty("events").EnumerateArray().Select(e => e.Long("seq")).ToList();
            events.ShouldAllBe(s => s <= headSeq, "a page never runs past the head it reports");
            events.ShouldBe(Enumerable.Range(0, events.Count).Select(i => since + 1 + i), "pages join up with no gap");
            body.Long("next_since").ShouldBeLessThanOrEqualTo(headSeq);
            seen.AddRange(events);
            since = body.Long("next_since");
            pages++;
        }

        await Task.WhenAll(writers);
        pages.ShouldBeGreaterThan(10);
        seen.ShouldBe(Enumerable.Range(1, seen.Count).Select(i => (long)i));
    }

    private static async Task<long> HeadAsync(SwitchboardServer server) =>
        (await server.Http.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");
}
