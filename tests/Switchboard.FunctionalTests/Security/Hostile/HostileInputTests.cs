using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security.Hostile;

/// <summary>
/// A thousand generated malformed frames, a thousand malformed HTTP bodies and a thousand hostile raw requests (foreign
/// hosts and origins, broken chunked framing, unknown paths and methods, bare LF, unfinished heads, <c>%00</c> in paths,
/// empty <c>vsn</c>, long-poll batches that are not text) against a server with auth on. Each gets
/// its documented close code, error reply or problem; the server stays up; a bystander subscribed throughout sees every
/// legitimate event with contiguous seqs and nothing else (no hostile input changed state); the managed heap stays
/// bounded. The generator is seeded: set SWITCHBOARD_FUZZ_SEED to replay a run (the seed is printed and in every message).
/// </summary>
[Collection(nameof(LiveCore.MachineLoad))] // GC.GetTotalMemory counts every test running in this process
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Inputs = 1000;
    private const long HeapGrowthLimit = 48L * 1024 * 1024;
    private readonly int _seed = Environment.GetEnvironmentVariable("SWITCHBOARD_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
    private Secured _secured = null!;
    private PhoenixClient _bystander = null!;
    private string _token = "";
    private int _legitimateWrites;

    public async ValueTask InitializeAsync()
    {
        output.WriteLine($"SWITCHBOARD_FUZZ_SEED={_seed}");
        _secured = await Secured.StartAsync(o =>
        {
            // Rate limits have their own tests; here every input must reach the parser.
            o.Sockets.MessageBurst = 1_000_000;
            o.Sockets.MaxMessagesPerSecond = 1_000_000;
            o.Http.WriteRateLimit = 0;
            o.Security.AllowedHosts.Add(HostileRequests.Host);
            o.Sockets.HandshakeTimeout = TimeSpan.FromSeconds(1);
        });
        _token = await _secured.MintAsync(HostileFrames.TokenTopics);
        _bystander = await PhoenixClient.ConnectAsync(_secured.SocketUri(_token));
        (await _bystander.JoinAsync("sessions")).Status.ShouldBe("ok");
        await _secured.Writer.CreateAsync(HostileBodies.Target);
        _legitimateWrites = 1;
    }

    public async ValueTask DisposeAsync()
    {
        // Refusing hostile input is routine: nothing of it is logged above Information.
        _secured.Server.Logs.Entries.Where(e => e.Level > Microsoft.Extensions.Logging.LogLevel.Information)
            .ShouldBeEmpty($"{Seed}\n{_secured.Server.Logs.Dump()}");
        await _bystander.DisposeAsync();
        await _secured.DisposeAsync();
    }

    private string Seed => $"SWITCHBOARD_FUZZ_SEED={_seed}";

    /// <summary>A legitimate write between hostile inputs: the bystander must see each one.</summary>
    private async Task WriteLegitimatelyAsync()
    {
        var state = _legitimateWrites % 2 == 0 ? "idle" : "working";
        (await _secured.Writer.PatchAsync($"/api/sessions/{HostileBodies.Target}", new { state })).Status.ShouldBe(200, Seed);
        _legitimateWrites++;
    }

    [Fact]
    public async Task MalformedFramesGetTheirCloseCodeOrErrorReplyAndNobodyElseNotices()
    {
        var inputs = HostileFrames.Generate(new Random(_seed), Inputs, _secured.Server.Get<Switchboard.Server.Options.SocketOptions>().MaxFrameBytes);
        var heapBefore = Heap();
        await using var shared = await PhoenixClient.ConnectAsync(_secured.SocketUri(_token));
        foreach (var chunk in inputs.Select((input, index) => (input, index)).Chunk(50))
        {
            await Parallel.ForEachAsync(chunk.Where(c => c.input.ExpectedClose is not null), new ParallelOptions { MaxDegreeOfParallelism = 4 },
                async (c, _) => await ExpectCloseAsync(c.input, c.index));
            var refused = chunk.Where(c => c.input.ExpectedReason is not null).ToList();
            foreach (var (input, _) in refused)
            {
                await shared.SendRawAsync(input.Payload, System.Net.WebSockets.WebSocketMessageType.Text);
            }

            foreach (var (input, index) in refused)
            {
                var reply = await shared.WaitForAsync(f => f.Event == "phx_reply" && f.Ref == input.Ref);
                reply.Status.ShouldBe("error", $"{Seed}, input #{index}: {input}");
                reply.Response.GetProperty("reason").GetString().ShouldBe(input.ExpectedReason, $"{Seed}, input #{index}: {input}");
            }

            await WriteLegitimatelyAsync();
        }

        output.WriteLine(string.Join(", ", inputs.GroupBy(i => i.Kind).Select(g => $"{g.Key}: {g.Count()}")));
        (await shared.HeartbeatAsync()).Status.ShouldBe("ok", "the refusing connection stayed open");
        await ExpectBystanderSawExactlyTheLegitimateWritesAsync();
        ExpectHeapBounded(heapBefore);
    }

    private Task ExpectCloseAsync(FrameInput input, int index) => ExpectCloseAsync(input, index, _secured.Server.BaseAddress, _token);

    private async Task ExpectCloseAsync(FrameInput input, int index, Uri server, string token)
    {
        await using var raw = await RawWebSocket.ConnectAsync(server, "/socket/websocket?vsn=2.0.0&token=" + token);
        try
        {
            await raw.SendFrameAsync(input.Opcode, input.Payload, input.Fin, input.Masked, input.Rsv);
            for (var i = input.Then is null ? 1 : 0; i < input.Repeat; i++)
            {
                var (opcode, payload, fin) = input.Then ?? (input.Opcode, input.Payload, input.Fin);
                await raw.SendFrameAsync(opcode, payload, fin);
            }
        }
        catch (IOException)
        {
            // The server may close before a large input is fully sent; its close frame is still there to read.
        }

        var (code, _) = await raw.ReadUntilCloseAsync();
        code.ShouldBe(input.ExpectedClose, $"{Seed}, input #{index}: {input}");
    }

    [Fact]
    public async Task MalformedBodiesGetProblemsAndChangeNothing()
    {
        var inputs = HostileBodies.Generate(new Random(_seed), Inputs, _secured.Server.Get<Switchboard.Server.Options.SwitchboardOptions>().Http.MaxBodyBytes);
        var heapBefore = Heap();
        using var http = new HttpClient { BaseAddress = _secured.Server.BaseAddress, Timeout = TestTimeouts.Default };
        for (var i = 0; i < inputs.Count; i++)
        {
            await ExpectProblemAsync(http, inputs[i], i);
            if (i % 50 == 49)
            {
                await WriteLegitimatelyAsync();
            }
        }

        output.WriteLine(string.Join(", ", inputs.GroupBy(i => i.Kind).Select(g => $"{g.Key}: {g.Count()}")));
        var steady = (await _secured.Reader.GetJsonAsync($"/api/sessions/{HostileBodies.Target}")).Body;
        steady.Long("version").ShouldBe(_legitimateWrites, $"{Seed}: only the legitimate writes changed the session");
        steady.Long("input_tokens").ShouldBe(0);
        (await _secured.Reader.GetJsonAsync("/api/sessions/count")).Body.Long("total_sessions").ShouldBe(1, $"{Seed}: no hostile create got through");
        await ExpectBystanderSawExactlyTheLegitimateWritesAsync();
        ExpectHeapBounded(heapBefore);
    }

    private async Task ExpectProblemAsync(HttpClient http, BodyInput input, int index)
    {
        var what = $"{Seed}, input #{index}: {input}";
        using var request = new HttpRequestMessage(input.Method, input.Path) { Content = new ByteArrayContent(input.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", input.Authorization ?? "Bearer " + Secured.WriteKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(input.ExpectedStatus, $"{what}\n{Clip(text)}");
        using var body = JsonDocument.Parse(text);
        if (input.ExpectedResultStatus is { } each)
        {
            foreach (var result in body.RootElement.GetProperty("results").EnumerateArray())
            {
                result.Long("status").ShouldBe(each, what);
                result.GetProperty("problem").Str("detail").ShouldNotBeNullOrEmpty(what);
            }

            return;
        }

        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", what);
        body.RootElement.Long("status").ShouldBe(input.ExpectedStatus, what);
        body.RootElement.Str("code").ShouldNotBeNullOrEmpty(what);
        body.RootElement.Str("detail").Length.ShouldBeGreaterThan(10, what);
    }

    [Fact]
    public async Task FloodsOfFramesThatAreNoMessagesAreCutOffAtTheMessageRate()
    {
        // The shared server lifts the rate limit so that every other input reaches the parser; floods need it back.
        await using var limited = await Secured.StartAsync();
        var token = await limited.MintAsync(HostileFrames.TokenTopics);
        var rng = new Random(_seed);
        var floods = Enumerable.Range(0, 40).Select(_ => HostileFrames.Flood(rng)).ToList();
        await Parallel.ForEachAsync(floods.Select((input, index) => (input, index)), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (c, _) => await ExpectCloseAsync(c.input, c.index, limited.Server.BaseAddress, token));
        await using var survivor = await PhoenixClient.ConnectAsync(limited.SocketUri(token));
        (await survivor.JoinAsync("sessions")).Status.ShouldBe("ok", "the server still serves");
    }

    [Fact]
    public async Task HostileRawRequestsGetTheirStatusAndChangeNothing()
    {
        using var polling = new CancellationTokenSource();
        var longPollToken = await ConnectLongPollAsync();
        var poller = KeepPollingAsync(longPollToken, polling.Token);
        var inputs = HostileRequests.Generate(new Random(_seed), Inputs, longPollToken);
        foreach (var chunk in inputs.Select((input, index) => (input, index)).Chunk(50))
        {
            await Parallel.ForEachAsync(chunk, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) => await ExpectStatusAsync(c.input, c.index));
            await WriteLegitimatelyAsync();
        }

        await polling.CancelAsync();
        await poller;
        output.WriteLine(string.Join(", ", inputs.GroupBy(i => i.Kind).Select(g => $"{g.Key}: {g.Count()}")));
        (await _secured.Reader.GetJsonAsync("/api/fleet")).Body.GetProperty("is_paused").GetBoolean().ShouldBeFalse(Seed);
        (await _secured.Reader.GetJsonAsync($"/api/sessions/{HostileBodies.Target}")).Body.Long("version").ShouldBe(_legitimateWrites, Seed);
        await ExpectBystanderSawExactlyTheLegitimateWritesAsync();
    }

    private async Task ExpectStatusAsync(RawInput input, int index)
    {
        var what = $"{Seed}, input #{index}: {input}";
        var answer = await RawHttp.SendAsync(_secured.Server.BaseAddress, input.Bytes, TimeSpan.FromSeconds(input.Wait ? 15 : 10));
        answer.Status.ShouldBe(input.ExpectedStatus, $"{what}\n{Clip(answer.Text)}");
        answer.Closed.ShouldBeTrue(what);
        if (input.ExpectedLongPollStatus is { } status)
        {
            var body = answer.Body;
            using var json = JsonDocument.Parse(body[body.IndexOf('{')..(body.LastIndexOf('}') + 1)]);
            json.RootElement.Long("status").ShouldBe(status, what);
        }
        else if (input.Problem || input.ExpectedStatus is not (400 or 408) || answer.Text.Contains("problem+json", StringComparison.Ordinal))
        {
            answer.Text.ShouldContain("application/problem+json", Case.Sensitive, what); // Kestrel's own 400/408 for a broken head has no body
        }
    }

    /// <summary>A long-poll session for the hostile batches, kept alive (and drained) by a poller.</summary>
    private async Task<string> ConnectLongPollAsync()
    {
        var connect = await _secured.Reader.GetJsonAsync("/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(_token));
        connect.Body.Long("status").ShouldBe(410);
        return connect.Body.Str("token");
    }

    private async Task KeepPollingAsync(string token, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                (await _secured.Reader.GetAsync("/socket/longpoll?vsn=2.0.0&token=" + Uri.EscapeDataString(token), stop)).Dispose();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The bystander got seq 1..head without a gap, and head is exactly the number of legitimate writes.</summary>
    private async Task ExpectBystanderSawExactlyTheLegitimateWritesAsync()
    {
        var head = (await _secured.Reader.GetJsonAsync("/api/events?since=0&limit=1")).Body.Long("head_seq");
        head.ShouldBe(_legitimateWrites, $"{Seed}: no hostile input produced an event");
        var seqs = new List<long>();
        while (seqs.Count < head)
        {
            seqs.Add((await _bystander.WaitForAsync(f => f.Seq is not null)).Seq!.Value);
        }

        seqs.ShouldBe(Enumerable.Range(1, (int)head).Select(i => (long)i), $"{Seed}: the bystander's seqs are contiguous");
        (await _bystander.HeartbeatAsync()).Status.ShouldBe("ok");
        (await _secured.Server.Http.GetAsync("/healthz")).IsSuccessStatusCode.ShouldBeTrue();
    }

    private static long Heap()
    {
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private void ExpectHeapBounded(long before)
    {
        var after = Heap();
        output.WriteLine($"managed heap before {before / 1048576} MiB, after {after / 1048576} MiB");
        (after - before).ShouldBeLessThan(HeapGrowthLimit, $"{Seed}: nothing holds on to hostile inputs");
    }

    private static string Clip(string s) => s.Length > 400 ? s[..400] + "…" : s;
}
