using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Trees;

/// <summary>
/// <c>session:{id}</c> joined with <c>{"subtree": true}</c>: a snapshot of the subtree, then the events of every
/// descendant; a subscriber that stayed connected and one that resumed by <c>seq</c> after random disconnects see the
/// same sequence, which is the log's events of the subtree; a live view built from the snapshot and the events' deltas
/// ends with every node's <c>subtree</c> equal to the server's.
/// </summary>
public sealed class SubtreeSubscriptionTests(ITestOutputHelper output)
{
    private const string Topic = "session:r";

    [Theory]
    [InlineData(5)]
    [InlineData(31)]
    public async Task AConnectedAndAResumingSubtreeSubscriberSeeTheSameSequenceAndTheViewStaysExact(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed); // the writer's
        var chaos = new Random(seed + 1); // the disconnects' (Random is not thread-safe)
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("other");
        await server.Http.CreateAsync("before-r", new { parent_id = "other" });
        var nodes = new List<string> { "other", "before-r" };
        // r is created after the first join: its own creation must arrive live.
        var connected = new TreeSubscriber();
        await connected.ConnectAsync(server, resume: false);
        await server.Http.CreateAsync("r", new { parent_id = "other", cost_usd = 0.5 });
        nodes.Add("r");
        for (var i = 0; i < 4; i++)
        {
            await server.Http.CreateAsync($"n{i}", new { parent_id = i == 0 ? "r" : $"n{i - 1}", input_tokens = i });
            nodes.Add($"n{i}");
        }

        var resuming = new TreeSubscriber();
        await resuming.ConnectAsync(server, resume: false);

        var writer = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            for (var i = 0; i < 400; i++)
            {
                var roll = random.Next(100);
                string id;
                lock (nodes)
                {
                    id = nodes[random.Next(nodes.Count)];
                }

                if (roll < 20)
                {
                    var child = $"k{i}";
                    if ((await http.PostAsync("/api/sessions", new { id = child, parent_id = id, cost_usd = 0.01 * random.Next(3) })).Status == 201)
                    {
                        lock (nodes)
                        {
                            nodes.Add(child);
                        }
                    }
                }
                else if (roll < 25)
                {
                    // A command's events go to its own session's subtree subscribers (r's), not to its ancestors'.
                    await http.PostAsync($"/api/sessions/{(random.Next(2) == 0 ? "r" : id)}/commands", new { type = "message", text = $"m{i}" });
                }
                else if (roll < 75)
                {
                    await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = random.Next(5), output_tokens = random.Next(3), cost_usd = 0.001 * random.Next(10) });
                }
                else if (roll < 92)
                {
                    await http.PatchAsync($"/api/sessions/{id}", new { state = new[] { "idle", "working", "paused" }[random.Next(3)] });
                }
                else if (id is "other" or "r")
                {
                    // keep r's tree alive for the whole run
                }
                else if (roll < 97)
                {
                    await http.PostAsync($"/api/sessions/{id}/terminate");
                }
                else
                {
                    await http.PostAsync($"/api/sessions/{id}/terminate", new { cascade = true });
                }

                if (random.Next(8) == 0)
                {
                    await Task.Delay(random.Next(1, 4));
                }
            }
        });

        var disconnects = 0;
        while (!writer.IsCompleted)
        {
            await Task.Delay(chaos.Next(5, 30));
            await resuming.DisconnectAsync();
            if (chaos.Next(3) == 0)
            {
                await Task.Delay(chaos.Next(1, 20));
            }

            await resuming.ConnectAsync(server, resume: true);
            disconnects++;
        }

        await writer;
        output.WriteLine($"{disconnects} disconnects, {nodes.Count} sessions");

        // The subtree of r by the log: every session whose chain of parents reaches r.
        var log = await server.Http.EventsAsync();
        var parents = log.Where(e => e.Str("type") == "session_created")
            .ToDictionary(e => e.Str("session_id"), e => e.GetProperty("data").GetProperty("session").GetProperty("parent_id").GetString());
        bool InR(string id)
        {
            for (string? at = id; at is not null; at = parents.GetValueOrDefault(at))
            {
                if (at == "r")
                {
                    return true;
                }
            }

            return false;
        }

        // Session events of every session in r's subtree; alert and command events of r itself.
        bool Belongs(JsonElement e) => e.Str("type").StartsWith("session_", StringComparison.Ordinal) ? InR(e.Str("session_id")) : e.Str("session_id") == "r";
        var expected = log.Where(e => e.Long("seq") > connected.StartSeq && Belongs(e)).Select(e => e.Long("seq")).ToList();
        log.Count(e => e.Str("type") == "command_issued" && e.Str("session_id") == "r").ShouldBeGreaterThan(0, "r was sent commands");
        log.Count(e => e.Str("type") == "command_issued" && e.Str("session_id") != "r" && InR(e.Str("session_id"))).ShouldBeGreaterThan(0, "r's descendants were sent commands");
        expected.Count.ShouldBeGreaterThan(50);
        foreach (var s in new[] { connected, resuming })
        {
            var want = expected.Count(seq => seq > s.StartSeq);
            try
            {
                await TestTimeouts.Eventually(() => s.Count >= want, "the subscriber to catch up");
            }
            finally
            {
                await s.DisconnectAsync();
                var missing = expected.Where(seq => seq > s.StartSeq).Except(s.Received).Take(10).ToList();
                output.WriteLine($"got {s.Count} of {want}; missing {string.Join(",", missing)}; extra {string.Join(",", s.Received.Except(expected).Take(10))}");
                foreach (var m in missing.Take(3))
                {
                    output.WriteLine(log.First(e => e.Long("seq") == m).ToString());
                }
            }
        }

        connected.Received.ShouldBe(expected, "the connected subscriber gets exactly the subtree's events");
        resuming.Received.ShouldBe(expected.Where(seq => seq > resuming.StartSeq).ToList(),
            "the resuming subscriber gets the same sequence from its start");
        resuming.Snapshots.ShouldBe(0, "every rejoin within retention resumes");

        // The connected view, built from the join's snapshot and each event (deltas to the ancestors it holds), is exact.
        var truth = new Dictionary<string, JsonElement>();
        string? cursor = null;
        do
        {
            var (_, page, _) = await server.Http.GetJsonAsync("/api/sessions/r/tree?limit=100" + (cursor is null ? "" : "&cursor=" + cursor));
            foreach (var s in page.GetProperty("sessions").EnumerateArray())
            {
                truth[s.Str("id")] = s.GetProperty("subtree");
            }

            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.Str("next_cursor");
        }
        while (cursor is not null);

        connected.View.Keys.ShouldBe(truth.Keys, ignoreOrder: true);
        foreach (var (id, subtree) in truth)
        {
            connected.View[id].ShouldBe(TreeView.Totals(subtree), $"the live view of '{id}'s subtree");
        }
    }

    [Fact]
    public async Task TheJoinSnapshotsTheSubtreeAsOfItsSeqAndSubtreeIsOnlyForSessionTopics()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.CreateAsync("r");
        await server.Http.CreateAsync("a", new { parent_id = "r" });
        await server.Http.CreateAsync("b", new { parent_id = "a" });
        await server.Http.PostAsync("/api/sessions/b/terminate");
        await server.Http.CreateAsync("x");
        await using var client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        var reply = await client.JoinAsync(Topic, new { subtree = true, limit = 1 });
        reply.Status.ShouldBe("ok", reply.Raw);
        var response = reply.Response;
        response.Long("seq").ShouldBe(5);
        response.GetProperty("session").Str("id").ShouldBe("r");
        response.GetProperty("descendants").EnumerateArray().Select(s => s.Str("id")).ShouldBe(["a"]);
        var next = response.Str("next_cursor");
        var (_, rest, _) = await server.Http.GetJsonAsync($"/api/sessions/r/tree?cursor={next}");
        rest.GetProperty("sessions").EnumerateArray().Select(s => (s.Str("id"), s.Str("state"))).ShouldBe([("b", "terminated")], "ended descendants are part of it");

        var refused = await client.JoinAsync("sessions", new { subtree = true });
        refused.Status.ShouldBe("error");
        refused.Response.Str("detail").ShouldContain("subtree");
    }

    /// <summary>One subtree subscription of <c>session:r</c> over the raw Phoenix client; on rejoin it resumes from the last seq it got.</summary>
    private sealed class TreeSubscriber
    {
        private PhoenixClient? _client;
        private Task? _pump;
        private string _epoch = "";
        private readonly List<long> _received = [];

        public TreeView View { get; } = new();

        public long StartSeq { get; private set; } = -1;

        public int Snapshots { get; private set; }

        public int Count
        {
            get
            {
                lock (_received)
                {
                    return _received.Count;
                }
            }
        }

        public List<long> Received
        {
            get
            {
                lock (_received)
                {
                    return [.. _received];
                }
            }
        }

        private long Last => _received.Count > 0 ? _received[^1] : StartSeq;

        public async Task ConnectAsync(SwitchboardServer server, bool resume)
        {
            _client = await PhoenixClient.ConnectAsync(server.WebSocketUri);
            var reply = await _client.JoinAsync(Topic, resume ? new { subtree = true, since = Last, epoch = _epoch } : new { subtree = true });
            reply.Status.ShouldBe("ok", reply.Raw);
            if (!resume)
            {
                StartSeq = reply.Response.Long("seq");
                _epoch = reply.Response.Str("epoch");
                View.Load(reply.Response);
            }
            else if (!reply.Response.GetProperty("resumed").GetBoolean())
            {
                Snapshots++;
            }

            var client = _client;
            _pump = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var frame = await client.WaitForAsync(f => f.Seq is not null && f.Topic == Topic, TimeSpan.FromMinutes(5));
                        lock (_received)
                        {
                            _received.Add(frame.Seq!.Value);
                            View.Apply(frame.Payload);
                        }
                    }
                }
                catch (InvalidOperationException)
                {
                    // the socket closed: everything it delivered has been taken
                }
            });
        }

        public async Task DisconnectAsync()
        {
            if (_client is null)
            {
                return;
            }

            _client.Socket.Abort();
            await _pump!.Within();
            await _client.DisposeAsync();
            _client = null;
        }
    }
}

/// <summary>
/// A client's view of a subtree as the protocol says to keep it: the join's snapshot, then each event — a session's own
/// totals from <c>session</c> or <c>changes.subtree</c>, each listed ancestor it holds plus <c>subtree_delta</c>.
/// </summary>
internal sealed class TreeView
{
    private readonly Dictionary<string, (long Sessions, long Active, long Input, long Output, decimal Cost)> _nodes = [];

    public ICollection<string> Keys => _nodes.Keys;

    public (long Sessions, long Active, long Input, long Output, decimal Cost) this[string id] => _nodes[id];

    public static (long Sessions, long Active, long Input, long Output, decimal Cost) Totals(JsonElement t) =>
        (t.Long("sessions"), t.Long("active"), t.Long("input_tokens"), t.Long("output_tokens"), t.GetProperty("cost_usd").GetDecimal());

    public void Load(JsonElement reply)
    {
        if (reply.GetProperty("session") is { ValueKind: JsonValueKind.Object } session)
        {
            _nodes[session.Str("id")] = Totals(session.GetProperty("subtree"));
        }

        foreach (var s in reply.GetProperty("descendants").EnumerateArray())
        {
            _nodes[s.Str("id")] = Totals(s.GetProperty("subtree"));
        }
    }

    public void Apply(JsonElement envelope)
    {
        var data = envelope.GetProperty("data");
        var id = envelope.Str("session_id");
        switch (envelope.Str("type"))
        {
            case "session_created" or "session_terminated":
                _nodes[id] = Totals(data.GetProperty("session").GetProperty("subtree"));
                break;
            case "session_updated":
                _nodes[id] = Totals(data.GetProperty("changes").GetProperty("subtree"));
                break;
        }

        if (data.TryGetProperty("subtree_delta", out var delta))
        {
            var d = Totals(delta);
            foreach (var a in data.GetProperty("ancestors").EnumerateArray().Select(x => x.GetString()!))
            {
                if (_nodes.TryGetValue(a, out var t))
                {
                    _nodes[a] = (t.Sessions + d.Sessions, t.Active + d.Active, t.Input + d.Input, t.Output + d.Output, t.Cost + d.Cost);
                }
            }
        }
    }
}
