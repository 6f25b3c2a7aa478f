using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// When <c>summary</c> goes out, on the injected clock: on join, within 100 ms of a change and
/// coalesced, every 10 s while sessions are active, and never while idle except the drop to zero.
/// </summary>
public sealed class SummaryTimingTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private readonly ManualTimeProvider _time = new();
    private SwitchboardServer _server = null!;
    private PhoenixClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SwitchboardServer.StartAsync(time: _time);
        _client = await PhoenixClient.ConnectAsync(_server.WebSocketUri);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<List<PhoenixFrame>> SummariesWithin(TimeSpan quiet) =>
        (await _client.DrainAsync(quiet)).Where(f => f.Event == "summary").ToList();

    private async Task Advance(TimeSpan by)
    {
        _time.Advance(by);
        (await _client.HeartbeatAsync()).Status.ShouldBe("ok"); // keeps the connection inside its idle timeout
    }

    [Fact]
    public async Task ASummaryArrivesOnJoin()
    {
        (await _client.JoinAsync("summary")).Status.ShouldBe("ok");
        var summary = await _client.WaitForAsync(f => f.Event == "summary");
        summary.Payload.GetProperty("data").Long("active_count").ShouldBe(0);
        summary.Payload.GetProperty("seq").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task ChangesAreCoalescedToOneSummaryPerWindow()
    {
        await _client.JoinAsync("summary");
        await SummariesWithin(Quiet); // the join's summary

        await _server.Http.CreateAsync("a", new { state = "working" });
        var first = await _client.WaitForAsync(f => f.Event == "summary");
        first.Payload.GetProperty("data").Long("active_count").ShouldBe(1);

        // Two more changes inside the same 100 ms window: nothing until the window closes, then one summary.
        await _server.Http.CreateAsync("b");
        await _server.Http.CreateAsync("c");
        (await SummariesWithin(Quiet)).ShouldBeEmpty();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var coalesced = await _client.WaitForAsync(f => f.Event == "summary");
        coalesced.Payload.GetProperty("data").Long("active_count").ShouldBe(3);
        coalesced.Payload.GetProperty("data").Long("as_of_seq").ShouldBe(3);
        (await SummariesWithin(Quiet)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ASummaryGoesOutEveryTenSecondsWhileSessionsAreActive()
    {
        await _client.JoinAsync("sessions");
        await _server.Http.CreateAsync("busy", new { state = "working" });
        await _client.WaitForAsync(f => f.Event == "summary" && f.Payload.GetProperty("data").Long("active_count") == 1);
        await SummariesWithin(Quiet);

        await Advance(TimeSpan.FromSeconds(9.9));
        (await SummariesWithin(Quiet)).ShouldBeEmpty();
        await Advance(TimeSpan.FromSeconds(0.1));
        var periodic = await _client.WaitForAsync(f => f.Event == "summary");
        periodic.Payload.GetProperty("data").Long("duration_seconds").ShouldBe(10);
        await Advance(TimeSpan.FromSeconds(10));
        (await _client.WaitForAsync(f => f.Event == "summary")).Payload.GetProperty("data").Long("duration_seconds").ShouldBe(20);
    }

    [Fact]
    public async Task IdleIsSilentExceptForTheDropToZero()
    {
        await _client.JoinAsync("summary");
        await _client.WaitForAsync(f => f.Event == "summary"); // the join's own summary
        await _server.Http.CreateAsync("short");
        await _client.WaitForAsync(f => f.Event == "summary" && f.Payload.GetProperty("data").Long("active_count") == 1);
        await Advance(TimeSpan.FromSeconds(1));
        (await _server.Http.PostAsync("/api/sessions/short/terminate")).Status.ShouldBe(200);
        var drop = await _client.WaitForAsync(f => f.Event == "summary" && f.Payload.GetProperty("data").Long("as_of_seq") == 2);
        drop.Payload.GetProperty("data").Long("active_count").ShouldBe(0);
        drop.Payload.GetProperty("data").Long("duration_seconds").ShouldBe(0);

        for (var i = 0; i < 4; i++)
        {
            await Advance(TimeSpan.FromSeconds(10));
        }

        (await SummariesWithin(Quiet)).ShouldBeEmpty();
    }

    [Fact]
    public async Task AChangeThatLeavesTheSummaryAsItWasSendsNothing()
    {
        await _client.JoinAsync("summary");
        await _server.Http.CreateAsync("n", new { state = "idle" });
        // The create's summary, not the join's (which may be the first one read).
        await _client.WaitForAsync(f => f.Event == "summary" && f.Payload.GetProperty("data").Long("as_of_seq") == 1);
        await Advance(TimeSpan.FromSeconds(1));
        await SummariesWithin(Quiet);
        await _server.Http.PatchAsync("/api/sessions/n", new { name = "renamed" });
        await Advance(TimeSpan.FromMilliseconds(200));
        (await SummariesWithin(Quiet)).ShouldBeEmpty();
    }
}
