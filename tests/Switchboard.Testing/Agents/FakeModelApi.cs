using System.Text;
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
/// A model API on real Kestrel (127.0.0.1:0) that speaks the three wire formats the agents call, so they run with no
/// network: Anthropic's Messages API (<c>POST /v1/messages</c>, SSE) for Claude Code, OpenAI's Responses API
/// (<c>POST /v1/responses</c>, SSE) for Codex, and the Gemini API (<c>POST /v1beta/models/{model}:streamGenerateContent</c>
/// or <c>:generateContent</c>) for Gemini CLI. Each agent turn takes the next <see cref="ModelTurn"/> of the script;
/// every request is recorded. It also accepts OTLP/HTTP JSON, so a test can read what an agent exports.
/// </summary>
public sealed partial class FakeModelApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<ModelTurn> _turns = new();
    private readonly Queue<ModelTurn> _subAgentTurns = new();
    private readonly List<ModelRequest> _requests = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private FakeModelApi(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:port/</c>: what ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL and (with <c>/v1</c>) a Codex provider's base_url point at.</summary>
    public Uri BaseAddress { get; }

    /// <summary>What Codex's automatic approval review (its "guardian", a model call of its own) decides: <c>allow</c> or <c>deny</c>.</summary>
    public string GuardianOutcome { get; set; } = "deny";

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ModelRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The requests of the main agent's own loop, in order (the ones answered from the script).</summary>
    public IReadOnlyList<ModelRequest> Turns => [.. Requests.Where(r => r.Kind == ModelRequestKind.Turn && r.SubAgent is null)];

    /// <summary>The requests of Claude Code's sub-agents, in order (answered from <see cref="EnqueueSubAgent"/>).</summary>
    public IReadOnlyList<ModelRequest> SubAgentTurns => [.. Requests.Where(r => r.Kind == ModelRequestKind.Turn && r.SubAgent is not null)];

    /// <summary>Turns scripted and not yet taken.</summary>
    public int TurnsLeft
    {
        get
        {
            lock (_turns)
            {
                return _turns.Count;
            }
        }
    }

    public static async Task<FakeModelApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeModelApi? api = null;
        app.Run(context => api!.HandleAsync(context));
        await app.StartAsync().WaitAsync(TestTimeouts.Long);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        api = new FakeModelApi(app, new Uri(address + "/"));
        return api;
    }

    /// <summary>Adds turns to the script, answered in order.</summary>
    public void Enqueue(params ModelTurn[] turns)
    {
        lock (_turns)
        {
            foreach (var turn in turns)
            {
                _turns.Enqueue(turn);
            }
        }
    }

    /// <summary>
    /// Adds turns for Claude Code's sub-agents (requests with an <c>x-claude-code-agent-id</c> header), answered in order
    /// apart from the main agent's: a sub-agent may run beside it.
    /// </summary>
    public void EnqueueSubAgent(params ModelTurn[] turns)
    {
        lock (_turns)
        {
            foreach (var turn in turns)
            {
                _subAgentTurns.Enqueue(turn);
            }
        }
    }

    /// <summary>Waits until the agent's loop has made <paramref name="count"/> requests and returns the last of them.</summary>
    public async Task<ModelRequest> WaitForTurnAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeouts.Long);
        while (true)
        {
            var turns = Turns;
            if (turns.Count >= count)
            {
                return turns[count - 1];
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The agent made {turns.Count} model requests, not {count}.");
            }

            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>The OTLP/HTTP JSON bodies the agent exported to this fake on <paramref name="signal"/> (<c>logs</c>, <c>traces</c>, <c>metrics</c>).</summary>
    public IReadOnlyList<JsonNode> Telemetry(string signal) =>
        [.. Requests.Where(r => r.Kind == ModelRequestKind.Telemetry && r.Path == "/v1/" + signal && r.Json is not null).Select(r => r.Json!)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TestTimeouts.Long);
        await _app.DisposeAsync();
    }

    private async Task<ModelTurn> NextTurnAsync(ModelRequest request)
    {
        ModelTurn turn;
        lock (_turns)
        {
            var queue = request.SubAgent is null ? _turns : _subAgentTurns;
            turn = queue.Count > 0 ? queue.Dequeue() : ModelTurn.Fallback;
        }

        if (turn.Gate is { } gate)
        {
            await gate.WaitAsync(TestTimeouts.Long); // the test lets the agent go on once it has done what it must first
        }

        return turn.Write is { } write ? write(request) : turn;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        JsonNode? json = null;
        try
        {
            json = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (OTLP protobuf, say): kept as text.
        }

        var path = request.Path.Value ?? "/";
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var kind = Classify(request.Method, path, headers, json);
        var recorded = new ModelRequest(request.Method, path + request.QueryString, headers, body, json, kind);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        _arrived.Release();
        var response = context.Response;
        if (kind == ModelRequestKind.Telemetry)
        {
            response.ContentType = "application/json";
            await response.WriteAsync("{}", context.RequestAborted);
            return;
        }

        if (kind == ModelRequestKind.Other)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            await AnswerAnthropicAsync(context, recorded);
        }
        else if (path.StartsWith("/v1/responses", StringComparison.Ordinal))
        {
            await AnswerOpenAiAsync(context, recorded);
        }
        else
        {
            await AnswerGeminiAsync(context, recorded);
        }
    }

    private static ModelRequestKind Classify(string method, string path, Dictionary<string, string> headers, JsonNode? json)
    {
        if (method != "POST")
        {
            return ModelRequestKind.Other;
        }

        if (path is "/v1/logs" or "/v1/traces" or "/v1/metrics")
        {
            return ModelRequestKind.Telemetry;
        }

        if (path == "/v1/messages/count_tokens")
        {
            return ModelRequestKind.Side;
        }

        if (path == "/v1/messages")
        {
            return HasItems(json?["tools"]) ? ModelRequestKind.Turn : ModelRequestKind.Side;
        }

        if (path == "/v1/responses")
        {
            // Codex marks its automatic approval review ("guardian") in the turn metadata header.
            return headers.TryGetValue("x-codex-turn-metadata", out var meta) && meta.Contains("guardian_review", StringComparison.Ordinal)
                ? ModelRequestKind.Side
                : ModelRequestKind.Turn;
        }

        if (path.StartsWith("/v1beta/models/", StringComparison.Ordinal))
        {
            // Gemini CLI's own loop declares its tools; its router and checks ask for JSON without them.
            return HasItems(json?["tools"]) ? ModelRequestKind.Turn : ModelRequestKind.Side;
        }

        return ModelRequestKind.Other;
    }

    private static bool HasItems(JsonNode? node) => node is JsonArray { Count: > 0 };

    private static async Task WriteSseAsync(HttpResponse response, string? eventName, JsonNode data, CancellationToken cancel)
    {
        var frame = (eventName is null ? "" : $"event: {eventName}\n") + $"data: {data.ToJsonString()}\n\n";
        await response.WriteAsync(frame, cancel);
        await response.Body.FlushAsync(cancel);
    }
}
