using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.LiveCore;

/// <summary>
/// A join snapshot is capped by bytes as well as by count: asking for 1,000 sessions that carry large metadata gets a
/// reply that fits the connection's queue, with <c>next_cursor</c> for the rest, instead of a dropped connection and a
/// client that rejoins forever.
/// </summary>
public sealed class SnapshotSizeTests
{
    [Fact]
    public async Task AJoinOfManyLargeSessionsGetsAReplyCappedByBytesWithACursorForTheRest()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var blob = new string('x', 15_000);
        for (var batch = 0; batch < 10; batch++)
        {
            var ops = Enumerable.Range(0, 60).Select(i => new { op = "create", id = $"big-{batch * 60 + i:D3}", metadata = new { blob } });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
        }

        // A join's snapshot is the live view as it stands; the summary answers once the view has applied this node's
        // writes, so after it the snapshot holds all 600.
        (await server.Http.GetJsonAsync("/api/summary")).Body.Long("active_count").ShouldBe(600);
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync("sessions", new { limit = 1000 });
        reply.Status.ShouldBe("ok");
        reply.Raw.Length.ShouldBeLessThan(1_100_000, "about a mebibyte of sessions at most");
        var page = reply.Response.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id")).ToList();
        page.Count.ShouldBeInRange(50, 80);
        var cursor = reply.Response.Str("next_cursor");

        // The rest of the list continues where the snapshot stopped, newest first.
        var rest = await server.Http.GetJsonAsync($"/api/sessions?active=true&limit=1000&cursor={cursor}");
        rest.Status.ShouldBe(200);
        var ids = page.Concat(rest.Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id"))).ToList();
        ids.ShouldBe(Enumerable.Range(0, 600).Select(i => $"big-{599 - i:D3}"));
        (await client.HeartbeatAsync()).Status.ShouldBe("ok", "the connection lives on");
    }
}
