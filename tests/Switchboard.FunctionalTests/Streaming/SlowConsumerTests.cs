using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Background;
using Switchboard.Server.Options;
using Switchboard.Server.Transports;
using Switchboard.Server.Transports.WebSockets;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Streaming;

/// <summary>
/// A client that stops reading while 10,000 events flow: the server cuts it off at its queue cap instead of buffering
/// the backlog, other clients are unaffected, and the slow client later resumes by seq with nothing lost.
/// </summary>
[Collection(nameof(LiveCore.MachineLoad))] // GC.GetTotalMemory counts every test running in this process
public sealed class SlowConsumerTests(ITestOutputHelper output)
{
    private const int Events = 10_000;

    [Fact]
    public async Task ASlowClientIsCutOffAtTheCapWhileOthersGetEverythingAndItResumesWithoutLoss()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxReplayEvents = 20_000);
        var cap = server.Get<SocketOptions>().SendQueueMaxBytes;
        await server.Http.CreateAsync("flood");

        await using var healthy = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var healthyJoin = await healthy.JoinAsync("sessions");
        var start = healthyJoin.Response.Long("seq");
        var epoch = healthyJoin.Response.Str("epoch");
        var healthyConnection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single();

        // The slow client joins, reads its reply, then never reads again (tiny receive buffer).
        var slow = await RawWebSocket.ConnectAsync(server.BaseAddress, receiveBuffer: 4096);
        await slow.SendTextAsync("""["1","1","sessions","phx_join",{}]""");
        (await slow.ReadTextAsync()).ShouldContain("\"status\":\"ok\"");
        var slowConnection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single(c => c != healthyConnection);

        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        // Each update changes the ~8 KB metadata, so each event carries it: 80 MB if buffered without a cap.
        var blob = new string('m', 8000);
        var healthySeqs = new List<long>();
        for (var batch = 0; batch < Events / 50; batch++)
        {
            var ops = Enumerable.Range(0, 50).Select(i => new { op = "update", id = "flood", metadata = new { blob, n = batch * 50 + i } });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            // Keep up with each batch, so this test process does not itself hold the 80 MB.
            while (healthySeqs.Count < (batch + 1) * 50)
            {
                healthySeqs.Add((await healthy.WaitForAsync(x => x.Seq is not null, TestTimeouts.Long)).Seq!.Value);
            }

            lock (healthy.Backlog)
            {
                healthy.Backlog.Clear(); // summaries
            }
        }

        var head = start + Events;

        healthySeqs.ShouldBe(Enumerable.Range(1, Events).Select(i => start + i), "the healthy client gets every event in order");
        healthyConnection.CloseReason.ShouldBeNull();

        slowConnection.CloseReason.ShouldBe("slow consumer: send queue full");
        output.WriteLine($"slow queue peak {slowConnection.Queue.PeakBytes / 1024} KiB, healthy peak {healthyConnection.Queue.PeakBytes / 1024} KiB, cap {cap / 1024} KiB");
        slowConnection.Queue.PeakBytes.ShouldBeLessThanOrEqualTo(cap);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"managed heap before {heapBefore / 1048576} MiB, after {heapAfter / 1048576} MiB");
        // Holding the backlog would be 80 MB; what remains is caches and Kestrel's pooled buffers.
        (heapAfter - heapBefore).ShouldBeLessThan(32L * 1024 * 1024, "nothing holds on to the slow client's backlog");

        // The slow client reads what reached it before the cut, and finds the connection gone.
        var (_, texts) = await slow.ReadUntilCloseAsync(TestTimeouts.Long);
        await slow.DisposeAsync();
        var slowSeqs = texts.Select(t => JsonDocument.Parse(t).RootElement[4])
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number)
            .Select(p => p.Long("seq")).ToList();
        output.WriteLine($"slow client got {slowSeqs.Count} events before the cut");
        slowSeqs.Count.ShouldBeLessThan(Events);
        slowSeqs.ShouldBe(Enumerable.Range(1, slowSeqs.Count).Select(i => start + i), "what it got is a gap-free prefix");

        await using var resumed = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var since = slowSeqs.Count > 0 ? slowSeqs[^1] : start;
        var reply = await resumed.JoinAsync("sessions", new { since, epoch });
        reply.Response.GetProperty("resumed").GetBoolean().ShouldBeTrue();
        reply.Response.GetProperty("replayed").GetInt32().ShouldBe((int)(head - since));
        var rest = new List<long>();
        while (rest.Count < head - since)
        {
            rest.Add((await resumed.WaitForAsync(x => x.Seq is not null, TestTimeouts.Long)).Seq!.Value);
        }

        slowSeqs.Concat(rest).ShouldBe(Enumerable.Range(1, Events).Select(i => start + i), "nothing lost after the resume");
    }

    [Fact]
    public async Task AStuckClientDelaysNoOneWhileTheIdleLoopWritesEveryonesEventsItself()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("one");
        await using var healthy = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var start = (await healthy.JoinAsync("sessions")).Response.Long("seq");
        var healthyConnection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single();
        var stuck = await RawWebSocket.ConnectAsync(server.BaseAddress, receiveBuffer: 4096);
        await stuck.SendTextAsync("""["1","1","sessions","phx_join",{}]""");
        (await stuck.ReadTextAsync()).ShouldContain("\"status\":\"ok\"");
        var stuckConnection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single(c => c != healthyConnection);

        // One event at a time, each answered once fanned out: the loop is idle after each and starts both writes itself,
        // until the stuck client's socket buffers are full and its frames wait in its own queue, and then 50 more.
        var blob = new string('m', 8000);
        var events = 0;
        var afterStuck = 0;
        while (afterStuck < 50)
        {
            events.ShouldBeLessThan(4000, $"the stuck client's socket buffers should be full by now; {stuckConnection.Queue.Count} frames wait");
            (await server.Http.PatchAsync("/api/sessions/one", new { metadata = new { blob, n = events } })).Status.ShouldBe(200);
            events++;
            (await healthy.WaitForAsync(x => x.Seq is not null, TestTimeouts.Long)).Seq.ShouldBe(start + events, "the healthy client gets each event, in order");
            lock (healthy.Backlog)
            {
                healthy.Backlog.Clear(); // summaries
            }

            if (stuckConnection.Queue.Count >= 10) // more than the one event and summary of a pass: it is not being written
            {
                afterStuck++;
            }
        }

        output.WriteLine($"{events} events; healthy drains inline {healthyConnection.InlineDrains}, queued {healthyConnection.QueuedDrains}; "
            + $"stuck drains inline {stuckConnection.InlineDrains}, queued {stuckConnection.QueuedDrains}, {stuckConnection.Queue.Count} frames waiting");
        healthyConnection.InlineDrains.ShouldBeGreaterThan(0, "the idle loop wrote the healthy client's events itself");
        stuckConnection.InlineDrains.ShouldBeGreaterThan(0, "and the stuck client's, until its socket was full");
        stuckConnection.Queue.Count.ShouldBeGreaterThanOrEqualTo(10, "the stuck client's frames wait in its own queue");
        stuckConnection.CloseReason.ShouldBeNull("below its cap, a stuck client is only behind");
        healthyConnection.CloseReason.ShouldBeNull();
        await stuck.DisposeAsync();
    }

    [Fact]
    public async Task AClientThatFellBehindGetsTheLatestUsageInsteadOfEveryStepAndEveryOtherChange()
    {
        // Behind means a quarter of the cap waiting: 500 frames here; 2,000 would cut the client off.
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Sockets.SendQueueMaxFrames = 2000;
            o.Sockets.SendQueueMaxBytes = 64L * 1024 * 1024;
        });
        await server.Http.CreateAsync("busy", new { state = "working" });
        var slow = await RawWebSocket.ConnectAsync(server.BaseAddress, receiveBuffer: 4096);
        await slow.SendTextAsync("""["1","1","sessions","phx_join",{}]""");
        (await slow.ReadTextAsync()).ShouldContain("\"status\":\"ok\"");
        var conflatedBefore = Switchboard.Server.Outbound.OutboundCounters.Conflations;
        var connection = server.Get<ConnectionRegistry>().Snapshot().Cast<WebSocketConnection>().Single();

        // Metadata changes of 8 KB fill the socket buffers (how much they hold depends on the kernel's autotuning) and then
        // wait in the queue, until a quarter of the cap (500 frames) waits: the client is behind. Each batch is followed by
        // a summary read, which answers once the live view applied (and fanned out) the batch.
        var metadataChanges = 0;
        var blob = new string('m', 8000);
        while (connection.Queue.Count < 600)
        {
            metadataChanges.ShouldBeLessThan(1800, $"the client should be behind by now; {connection.Queue.Count} frames wait");
            var first = metadataChanges;
            var ops = Enumerable.Range(0, 50).Select(i => new { op = "update", id = "busy", metadata = new { blob, n = first + i } });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            (await server.Http.GetJsonAsync("/api/summary")).Status.ShouldBe(200);
            metadataChanges += 50;
        }

        const int UsageSteps = 2000;
        for (var batch = 0; batch < UsageSteps / 100; batch++)
        {
            var ops = Enumerable.Range(0, 100).Select(_ => new { op = "usage", id = "busy", input_tokens = 1 });
            (await server.Http.PostAsync("/api/batch", new { operations = ops })).Status.ShouldBe(200);
            if (batch == 10)
            {
                (await server.Http.PatchAsync("/api/sessions/busy", new { state = "idle" })).Status.ShouldBe(200);
            }
        }

        (await server.Http.PostAsync("/api/sessions/busy/terminate")).Status.ShouldBe(200);
        connection.CloseReason.ShouldBeNull("conflated updates leave room: the client is not cut off");
        connection.Queue.Count.ShouldBeLessThan(metadataChanges + 100, "the metadata changes and the newest usage wait, not 2,000 usage steps");

        var events = new List<JsonElement>();
        while (events.Count == 0 || events[^1].Str("type") != "session_terminated")
        {
            var payload = JsonDocument.Parse(await slow.ReadTextAsync(TestTimeouts.Long)).RootElement[4];
            if (payload.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number)
            {
                events.Add(payload.Clone());
            }
        }

        await slow.DisposeAsync();
        var seqs = events.Select(e => e.Long("seq")).ToList();
        seqs.ShouldBe(seqs.Order().Distinct(), "in order, each once");
        var changes = events.Where(e => e.Str("type") == "session_updated").Select(e => e.GetProperty("data").GetProperty("changes")).ToList();
        changes.Count(c => c.TryGetProperty("metadata", out _)).ShouldBe(metadataChanges, "changes other than usage are never conflated");
        changes.Count(c => c.TryGetProperty("state", out _)).ShouldBe(1, "nor is a state change");
        var usage = changes.Where(c => c.TryGetProperty("input_tokens", out _)).ToList();
        output.WriteLine($"{usage.Count} of {UsageSteps} usage updates reached the client that fell behind");
        usage.Count.ShouldBeLessThan(UsageSteps, "pending usage updates were conflated");
        usage[^1].Long("input_tokens").ShouldBe(UsageSteps, "the latest usage is never lost");
        events[^1].GetProperty("data").GetProperty("session").Long("input_tokens").ShouldBe(UsageSteps);
        (Switchboard.Server.Outbound.OutboundCounters.Conflations - conflatedBefore).ShouldBeGreaterThan(0);
    }
}
