using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchboard.FunctionalTests.Hooks;
using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.Streaming;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>One tenant's things a probe may name: a session, an agent's own id (<c>otel:s:{agent}</c>), a command, an approval.</summary>
internal sealed record TenantTarget(string Name, string Id, string Agent, string CommandId, string ApprovalId)
{
    public string Fill(string text) => text.Replace("{id}", Id).Replace("{agent}", Agent).Replace("{cid}", CommandId).Replace("{aid}", ApprovalId);

    /// <summary>Every string of the target in <paramref name="text"/> replaced by its placeholder, so answers for two targets compare.</summary>
    public string Blind(string text) => text.Replace(CommandId, "{cid}").Replace(ApprovalId, "{aid}").Replace(Agent, "{agent}").Replace(Id, "{id}");

    /// <summary>The strings that must not show up in an answer about nothing of theirs.</summary>
    public IEnumerable<string> Names => [Id, Agent, CommandId, ApprovalId];
}

/// <summary>
/// A real server with the keys of issue 55's adversary, <c>SWITCHBOARD_API_KEYS="$ADMIN, $RED team=red, $BLUE team=blue"</c>
/// (and an unscoped read key and agent key), and two tenants' worth of state the red key must not reach: blue's session with usage, a
/// pending command and approval and an output stream, blue's agent whose hook session has ended, and the same for a session
/// without labels. <see cref="SnapshotAsync"/> reads all of it back, byte for byte.
/// </summary>
internal sealed class TenantMatrix : IAsyncDisposable
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string RedKey = "red-key-0123456789abcdef";
    public const string BlueKey = "blue-key-0123456789abcdef";
    public const string ReaderKey = "reader-key-0123456789abcdef";
    public const string AgentKey = "agent-key-0123456789abcdef";

    private static readonly string[] Volatile = ["seq", "head_seq", "as_of_seq", "token", "expires_at", "issued_at", "at", "created_at", "updated_at"];
    private int _unknown;

    private TenantMatrix(SwitchboardServer server)
    {
        Server = server;
        Admin = server.HttpWithKey(AdminKey);
        Red = server.HttpWithKey(RedKey);
        Blue = server.HttpWithKey(BlueKey);
        Reader = server.HttpWithKey(ReaderKey);
        Agent = server.HttpWithKey(AgentKey);
        Anonymous = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
    }

    public SwitchboardServer Server { get; }

    public HttpClient Admin { get; }

    public HttpClient Red { get; }

    public HttpClient Blue { get; }

    public HttpClient Reader { get; }

    /// <summary>An unscoped agent key (issue 56): it reports, and steers nothing.</summary>
    public HttpClient Agent { get; }

    public HttpClient Anonymous { get; }

    public TenantTarget BlueTarget { get; private set; } = null!;

    public TenantTarget PlainTarget { get; private set; } = null!;

    /// <summary>A target that exists nowhere, new for every probe (a probe's write may create the one before).</summary>
    public TenantTarget Unknown()
    {
        var n = Interlocked.Increment(ref _unknown);
        return new TenantTarget("unknown", $"nobody-{n}", $"nobody-agent-{n}", $"cmd_{Guid.NewGuid():N}", $"apr_{Guid.NewGuid():N}");
    }

    public static async Task<TenantMatrix> StartAsync(PostgresClusterFixture postgres, string store)
    {
        var server = await EitherStore.StartAsync(postgres, store, o =>
        {
            o.Security.AddApiKeys($"{AdminKey}, {RedKey} team=red, {BlueKey} team=blue, {ReaderKey}:read, @agents {AgentKey}:agent");
            o.Usage.GroupBy.Add("team");
            o.Hooks.EndGrace = TimeSpan.Zero;
            o.Hooks.ApprovalWait = TimeSpan.FromSeconds(1); // an unknown agent's permission request is held this long
        });
        var matrix = new TenantMatrix(server);
        matrix.BlueTarget = await matrix.SeedAsync(matrix.Blue, "blue", "blue-1", "blue-agent");
        matrix.PlainTarget = await matrix.SeedAsync(matrix.Admin, "plain", "plain-1", "plain-agent");
        await matrix.Red.CreateAsync("red-1");
        return matrix;
    }

    /// <summary>A tenant's session (working, with usage, a pending command and approval, an output stream) and its agent's ended hook session.</summary>
    private async Task<TenantTarget> SeedAsync(HttpClient key, string name, string id, string agent)
    {
        (await key.PostAsync("/api/sessions", new { id, name = $"{name}'s run" })).Status.ShouldBe(201);
        (await key.PatchAsync($"/api/sessions/{id}", new { state = "working" })).Status.ShouldBe(200);
        (await key.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 10, output_tokens = 2, cost_usd = 0.01 })).Status.ShouldBe(200);
        var command = await Admin.PostAsync($"/api/sessions/{id}/commands", new { type = "pause" });
        command.Status.ShouldBe(201, command.Body.ToString());
        var approval = await key.PostAsync($"/api/sessions/{id}/approvals", new { tool = "Bash", summary = $"{name} asks", expires_in_seconds = 3600 });
        approval.Status.ShouldBe(201, approval.Body.ToString());
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/stream/sessions/{id}/output") { Content = new StringContent($"{name} says", Encoding.UTF8, "text/plain") })
        {
            ((int)(await key.SendAsync(put)).StatusCode).ShouldBe(201);
        }

        await HookKit.OkAsync(HookKit.PostAsync(key, "claude-code", "SessionStart", agent));
        await HookKit.OkAsync(HookKit.PostAsync(key, "claude-code", "SessionEnd", agent, new { reason = "exit" }));
        await TestTimeouts.Eventually(async () => (await Admin.GetJsonAsync($"/api/sessions/otel:s:{agent}")).Body.Str("state") == "terminated",
            $"{name}'s agent session ended");
        return new TenantTarget(name, id, agent, command.Body.Str("id"), approval.Body.Str("id"));
    }

    /// <summary>Everything of <paramref name="target"/> the admin key reads: its sessions, events, commands, approvals, stream, usage and continuations.</summary>
    public async Task<string> SnapshotAsync(TenantTarget target)
    {
        var parts = new List<string>();
        foreach (var path in new[]
        {
            $"/api/sessions/{target.Id}", $"/api/sessions/{target.Id}/children", $"/api/sessions/{target.Id}/tree",
            $"/api/sessions/{target.Id}/commands", $"/api/sessions/{target.Id}/approvals", $"/api/events?since=0&limit=1000&session_id={target.Id}",
            $"/api/sessions/otel:s:{target.Agent}", $"/api/sessions/otel:s2:{target.Agent}", $"/api/sessions/otel:s:{target.Agent}/children",
            $"/api/events?since=0&limit=1000&session_id=otel:s:{target.Agent}", $"/api/usage?bucket=1d&group_by=label:team&labels=team={target.Name}",
        })
        {
            var (status, body, _) = await Admin.GetJsonAsync(path);
            parts.Add($"{path} {status} {WithoutPosition(body)}");
        }

        using var stream = await Admin.GetAsync($"/v1/stream/sessions/{target.Id}/output?offset=-1");
        parts.Add($"stream {(int)stream.StatusCode} {await stream.Content.ReadAsStringAsync()}");
        return string.Join("\n", parts);
    }

    /// <summary>The ids of every session the admin key lists.</summary>
    public async Task<List<string>> AllSessionIdsAsync() =>
        [.. (await Admin.GetJsonAsync("/api/sessions?limit=1000")).Body.GetProperty("sessions").EnumerateArray().Select(s => s.Str("id"))];

    /// <summary>Sends <paramref name="probe"/> for <paramref name="target"/> with <paramref name="http"/>'s key: the answer, blinded and without volatile fields.</summary>
    public async Task<string> SendAsync(HttpClient http, Probe probe, TenantTarget target)
    {
        var path = target.Fill(probe.Path);
        return probe.Transport switch
        {
            ProbeTransport.Http => await HttpAsync(http, probe, path, target),
            ProbeTransport.Sse => await SseAsync(http, path, target),
            ProbeTransport.WebSocket => await WebSocketAsync(http, path, target),
            _ => await LongPollAsync(http, path, target),
        };
    }

    private async Task<string> HttpAsync(HttpClient http, Probe probe, string path, TenantTarget target)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), path);
        if (probe.Accept is not null)
        {
            request.Headers.Accept.ParseAdd(probe.Accept);
        }

        if (probe.Body is not null)
        {
            request.Content = new StringContent(target.Fill(probe.Body), Encoding.UTF8, probe.ContentType);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        return $"{(int)response.StatusCode} {type} {Normalize(text, target)}";
    }

    private static async Task<string> SseAsync(HttpClient http, string path, TenantTarget target)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            return $"{(int)response.StatusCode} {Normalize(await response.Content.ReadAsStringAsync(), target)}";
        }

        await using var sse = await SseReader.OpenAsync(http, path);
        var joined = await sse.NextEventAsync(r => r.Event == "joined");
        return "joined " + Normalize(joined.Data!, target);
    }

    private async Task<string> WebSocketAsync(HttpClient http, string topic, TenantTarget target)
    {
        var key = http.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var client = await PhoenixClient.ConnectAsync(Server.WebSocketUri, o => o.SetRequestHeader("Authorization", "Bearer " + key));
        var reply = await client.JoinAsync(topic);
        return $"{reply.Status} {Normalize(reply.Response.ToString(), target)}";
    }

    private static async Task<string> LongPollAsync(HttpClient http, string topic, TenantTarget target)
    {
        var token = (await http.LongPollAsync(HttpMethod.Get)).Str("token");
        (await http.LongPollAsync(HttpMethod.Post, token, $"[\"1\",\"1\",{JsonSerializer.Serialize(topic)},\"phx_join\",{{}}]")).Long("status").ShouldBe(200);
        PhoenixFrame? reply = null;
        await TestTimeouts.Eventually(async () =>
        {
            reply = (await http.LongPollAsync(HttpMethod.Get, token)).GetProperty("messages").EnumerateArray()
                .Select(m => PhoenixFrame.Parse(m.GetString()!)).FirstOrDefault(f => f.Event == "phx_reply");
            return reply is not null;
        }, "the long-poll join reply");
        return $"{reply!.Status} {Normalize(reply.Response.ToString(), target)}";
    }

    /// <summary>The target's names blinded, and fields that differ between any two requests (seqs, times, tokens) left out.</summary>
    public static string Normalize(string text, TenantTarget target)
    {
        var blinded = target.Blind(text);
        try
        {
            return JsonNode.Parse(blinded) is { } node ? Strip(node).ToJsonString() : blinded;
        }
        catch (JsonException)
        {
            return blinded;
        }
    }

    private static JsonNode Strip(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var name in Volatile)
            {
                o.Remove(name);
            }

            foreach (var (_, child) in o.ToList())
            {
                if (child is not null)
                {
                    Strip(child);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                if (child is not null)
                {
                    Strip(child);
                }
            }
        }

        return node;
    }

    /// <summary>The body without the log position it was read at, which every write of anyone's moves.</summary>
    private static string WithoutPosition(JsonElement body)
    {
        if (JsonNode.Parse(body.GetRawText()) is not JsonObject o)
        {
            return body.GetRawText();
        }

        o.Remove("head_seq");
        o.Remove("as_of_seq");
        return o.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var http in new[] { Admin, Red, Blue, Reader, Agent, Anonymous })
        {
            http.Dispose();
        }

        await Server.DisposeAsync();
    }
}
