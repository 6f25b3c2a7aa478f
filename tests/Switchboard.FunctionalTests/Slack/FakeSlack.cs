using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.FunctionalTests.Slack;

/// <summary>
/// Slack's Web API as far as Switchboard calls it, a real HTTP server on 127.0.0.1:0: it records every
/// <c>chat.postMessage</c> and <c>chat.update</c> with its bearer token and JSON, and answers as Slack does
/// (<c>{"ok": true, "channel", "ts"}</c>), or 429 with <c>Retry-After</c> while <see cref="RateLimitedCalls"/> lasts, or
/// never while <see cref="HeldPosts"/> lasts (a post that reached Slack from a node killed before the answer came back).
/// </summary>
internal sealed class FakeSlack : IAsyncDisposable
{
    public const string ChannelId = "C0FAKE";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Call> _calls = new();
    private int _ts;
    private int _limited;
    private int _held;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeSlack(WebApplication app) => _app = app;

    /// <summary>The API's base URL, for <c>Switchboard:Slack:ApiBaseUrl</c>.</summary>
    public Uri ApiBaseUrl { get; private set; } = null!;

    /// <summary>How many of the next calls are answered 429 with <c>Retry-After: 1</c>.</summary>
    public int RateLimitedCalls { set => Volatile.Write(ref _limited, value); }

    /// <summary>How many of the next <c>chat.postMessage</c> calls get no answer until the caller goes away (recorded with status 0).</summary>
    public int HeldPosts { set => Volatile.Write(ref _held, value); }

    /// <summary>Every call, in arrival order (the 429s too).</summary>
    public List<Call> Calls => [.. _calls];

    public List<Call> Posts => [.. _calls.Where(c => c.Method == "chat.postMessage" && c.Answered == 200)];

    public List<Call> Updates => [.. _calls.Where(c => c.Method == "chat.update" && c.Answered == 200)];

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var slack = new FakeSlack(app);
        app.MapPost("/api/{method}", async (string method, HttpContext http) =>
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            var body = doc.RootElement.Clone();
            if (method == "chat.postMessage" && Interlocked.Decrement(ref slack._held) >= 0)
            {
                slack._calls.Enqueue(new Call(method, http.Request.Headers.Authorization.ToString(), body, 0, null));
                await slack._release.Task.WaitAsync(http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.StatusCode(503);
            }

            var limited = Interlocked.Decrement(ref slack._limited) >= 0;
            var ts = limited ? null : method == "chat.update" ? body.GetProperty("ts").GetString()! : $"1700000000.{Interlocked.Increment(ref slack._ts):D6}";
            slack._calls.Enqueue(new Call(method, http.Request.Headers.Authorization.ToString(), body, limited ? 429 : 200, ts));
            if (limited)
            {
                http.Response.Headers.RetryAfter = "1";
                return Results.StatusCode(429);
            }

            return Results.Json(new { ok = true, channel = ChannelId, ts });
        });
        await app.StartAsync();
        slack.ApiBaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/api/");
        return slack;
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One call: the Web API method, the Authorization header, the JSON sent, the status and message <c>ts</c> answered.</summary>
    public sealed record Call(string Method, string Authorization, JsonElement Body, int Answered, string? Ts)
    {
        /// <summary>Every text of the message (its notification text and every block's), joined by new lines.</summary>
        public string Text => string.Join("\n", Texts(Body));

        /// <summary>The buttons' action ids, in order.</summary>
        public List<string> Buttons => [.. Body.GetProperty("blocks").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).Select(e => e.GetProperty("action_id").GetString()!)];

        /// <summary>The value of the button <paramref name="action"/>.</summary>
        public string Value(string action) => Body.GetProperty("blocks").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).Single(e => e.GetProperty("action_id").GetString() == action).GetProperty("value").GetString()!;

        private static IEnumerable<string> Texts(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => p.Name == "text" && p.Value.ValueKind == JsonValueKind.String ? [p.Value.GetString()!] : Texts(p.Value)),
            JsonValueKind.Array => e.EnumerateArray().SelectMany(Texts),
            _ => [],
        };
    }
}
