using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Switchboard.Core.Diagnostics;
using Switchboard.FunctionalTests.DurableStreams;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Otlp;
using Switchboard.Server.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// The node's one budget of request-body bytes (<c>Switchboard:Http:MaxInFlightBodyBytes</c>): while a slow request holds
/// most of it, a body on any route whose buffer would grow past it is refused with 503, <c>Retry-After</c> and a
/// problem, and changes nothing; smaller bodies go on, and once the slow request is gone the same requests succeed.
/// </summary>
public sealed class BodyBudgetTests
{
    private const int KiB = 1024;

    [Fact]
    public async Task PastTheBudgetEveryRouteAnswers503WithRetryAfterAndChangesNothingUntilTheBytesAreFree()
    {
        await using var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Http.MaxBodyBytes = o.Hooks.MaxBodyBytes = o.Otlp.MaxBodyBytes = o.Streams.MaxAppendBytes = 32 * KiB;
            o.Http.MaxInFlightBodyBytes = BodyBuffer.PeakBytes(32 * KiB); // 48 KiB: one body at the limit, as it grows
        });
        var budget = server.Get<RequestBodyBudget>();
        (await server.Http.PutAsync("log", "start")).Status.ShouldBe(201);
        budget.InFlight.ShouldBe(0);

        // A hook that announced 30,000 bytes and sent 20,000 so far: its buffer grew to 32 KiB, and it waits for the rest.
        using var slow = await SlowHookAsync(server.BaseAddress, announced: 30_000, sent: 20_000);
        await TestTimeouts.Eventually(() => budget.InFlight == 32 * KiB, "the slow hook's 20,000 bytes to be buffered");

        // 12 KB: growing from 8 to 16 KiB holds 24 KiB for a moment, more than the 16 KiB left.
        var blob = new string('b', 12_000);
        var spans = OtlpKit.ChatSpans(["budget"], spansEach: 60).ToByteArray();
        spans.Length.ShouldBeInRange(8 * KiB + 1, 32 * KiB);
        var refusals = new List<(int Status, string? RetryAfter, string? Type, string Body)>
        {
            Reply(await server.Http.PostAsync("/api/sessions", new { id = "big", metadata = new { blob } })),
            Reply(await server.Http.PostAsync("/api/batch", new { operations = new[] { new { op = "create", id = "big-batch", metadata = new { blob } } } })),
            await ReplyAsync(await HookKit.PostAsync(server.Http, "claude-code", "UserPromptSubmit", "big-hook", new { prompt = blob })),
            await ReplyAsync(await OtlpKit.PostAsync(server.Http, "/v1/traces", spans)),
            Reply(await server.Http.AppendAsync("log", blob)),
        };
        foreach (var (status, retryAfter, type, body) in refusals)
        {
            status.ShouldBe(503, body);
            retryAfter.ShouldBe("1");
            type.ShouldBe("application/problem+json");
            var problem = JsonDocument.Parse(body).RootElement;
            problem.Str("code").ShouldBe("overloaded");
            problem.Str("detail").ShouldContain("Switchboard:Http:MaxInFlightBodyBytes");
        }

        budget.InFlight.ShouldBe(32 * KiB, "the refused requests' bytes were released");
        (await server.Http.PostAsync("/api/sessions", new { id = "small", metadata = new { blob = new string('s', 3000) } })).Status
            .ShouldBe(201, "a body that fits beside the slow one is read");
        (await OtlpKit.SessionsAsync(server.Http)).ShouldBe(["small"], "no refused request wrote a session");
        (await server.Http.ReadAsync("log")).Body.ShouldBe("start");
        server.Logs.Entries.ShouldContain(e => e.EventId == LogEventIds.Http + 60 && e.Message.Contains("requests were refused with 503"));

        slow.Close(); // the peer leaves mid-body: its buffer goes back
        await TestTimeouts.Eventually(() => budget.InFlight == 0, "the slow hook's bytes to be released");

        (await server.Http.PostAsync("/api/sessions", new { id = "big", metadata = new { blob } })).Status.ShouldBe(201);
        (await server.Http.PostAsync("/api/batch", new { operations = new[] { new { op = "create", id = "big-batch", metadata = new { blob } } } })).Status.ShouldBe(200);
        await HookKit.OkAsync(HookKit.PostAsync(server.Http, "claude-code", "UserPromptSubmit", "big-hook", new { prompt = blob }));
        (await OtlpKit.PostAsync(server.Http, "/v1/traces", spans)).IsSuccessStatusCode.ShouldBeTrue();
        (await server.Http.AppendAsync("log", blob)).Status.ShouldBe(204);
        (await server.Http.ReadAsync("log")).Body.ShouldBe("start" + blob);
        (await OtlpKit.SessionsAsync(server.Http)).Count.ShouldBe(5, "small, big, big-batch, the hook's session and the spans'");
        budget.InFlight.ShouldBe(0);
    }

    /// <summary>A hook request on a bare socket that announces <paramref name="announced"/> bytes and sends <paramref name="sent"/> of them.</summary>
    private static async Task<Socket> SlowHookAsync(Uri server, int announced, int sent)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port).WaitAsync(TestTimeouts.Default);
        var head = $"POST /hooks/claude-code HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: {announced}\r\n\r\n";
        var body = "{\"pad\":\"" + new string('x', sent - 8);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head + body));
        return socket;
    }

    private static (int, string?, string?, string) Reply((int Status, JsonElement Body, HttpResponseMessage Response) r) =>
        (r.Status, r.Response.Headers.RetryAfter?.ToString(), r.Response.Content.Headers.ContentType?.MediaType, r.Body.ToString());

    private static (int, string?, string?, string) Reply(StreamReply r) =>
        (r.Status, r.Response.Headers.RetryAfter?.ToString(), r.Response.Content.Headers.ContentType?.MediaType, r.Body);

    private static async Task<(int, string?, string?, string)> ReplyAsync(HttpResponseMessage r) =>
        ((int)r.StatusCode, r.Headers.RetryAfter?.ToString(), r.Content.Headers.ContentType?.MediaType, await r.Content.ReadAsStringAsync());
}
