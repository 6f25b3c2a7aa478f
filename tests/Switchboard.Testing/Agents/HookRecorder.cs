using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchboard.Testing.Agents;

/// <summary>
/// An endpoint the agents' hooks call (Claude Code's HTTP hooks; the <c>curl</c> command hooks of all three) on real
/// Kestrel (127.0.0.1:0). It records every call and answers each with what the test set for its event: by default
/// <c>{}</c> (no decision). An answer may be held (an async handler), as a server holding an approval would.
/// </summary>
public sealed class HookRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<HookCall> _calls = [];
    private readonly Dictionary<string, Func<HookCall, Task<HookAnswer>>> _answers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrived = new(0);

    private HookRecorder(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Every call so far, in arrival order.</summary>
    public IReadOnlyList<HookCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The event names of the calls so far, in order.</summary>
    public IReadOnlyList<string> Events => [.. Calls.Select(c => c.Event)];

    public static async Task<HookRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        HookRecorder? recorder = null;
        app.Run(context => recorder!.HandleAsync(context));
        await app.StartAsync().WaitAsync(TestTimeouts.Long);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        recorder = new HookRecorder(app, new Uri(address + "/"));
        return recorder;
    }

    /// <summary>The URL an agent's hooks post to, e.g. <c>http://127.0.0.1:port/hooks/claude-code</c>.</summary>
    public Uri Url(string agent) => new(BaseAddress, "hooks/" + agent);

    /// <summary>Answers every call of <paramref name="hookEvent"/> with <paramref name="answer"/>.</summary>
    public void On(string hookEvent, Func<HookCall, Task<HookAnswer>> answer)
    {
        lock (_answers)
        {
            _answers[hookEvent] = answer;
        }
    }

    /// <summary>Answers every call of <paramref name="hookEvent"/> with <paramref name="json"/> (any object JSON can hold).</summary>
    public void On(string hookEvent, object json) => On(hookEvent, _ => Task.FromResult(HookAnswer.Json(json)));

    /// <summary>
    /// Holds every call of <paramref name="hookEvent"/> unanswered until the returned handle is disposed, then answers
    /// <paramref name="json"/> (no decision when null): an agent that stops waiting first has moved on by then.
    /// </summary>
    public IDisposable Hold(string hookEvent, object? json = null)
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        On(hookEvent, async _ =>
        {
            await released.Task;
            return json is null ? HookAnswer.NoDecision : HookAnswer.Json(json);
        });
        return new Release(released);
    }

    /// <summary>Waits for a call that matches and returns it.</summary>
    public async Task<HookCall> WaitForAsync(Func<HookCall, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Long);
        while (true)
        {
            if (Calls.FirstOrDefault(match) is { } call)
            {
                return call;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("The expected hook call never came. Calls: " + string.Join(", ", Events));
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the first call of <paramref name="hookEvent"/>.</summary>
    public Task<HookCall> WaitForAsync(string hookEvent, TimeSpan? timeout = null) => WaitForAsync(c => c.Event == hookEvent, timeout);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(body) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            payload = [];
        }

        var call = new HookCall(
            context.Request.Path.Value ?? "/",
            payload["hook_event_name"]?.GetValue<string>() ?? "",
            payload,
            body,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            DateTimeOffset.UtcNow);
        lock (_calls)
        {
            _calls.Add(call);
        }

        _arrived.Release();
        Func<HookCall, Task<HookAnswer>>? answer;
        lock (_answers)
        {
            _answers.TryGetValue(call.Event, out answer);
        }

        var reply = answer is null ? HookAnswer.NoDecision : await answer(call);
        context.Response.StatusCode = reply.Status;
        if (reply.Body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        }
    }

    private sealed class Release(TaskCompletionSource released) : IDisposable
    {
        public void Dispose() => released.TrySetResult();
    }
}
