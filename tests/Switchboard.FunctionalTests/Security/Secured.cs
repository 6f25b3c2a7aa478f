using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Server.Background;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>A real server with auth on: one write key, one read key, and helpers to mint subscriber tokens.</summary>
internal sealed class Secured : IAsyncDisposable
{
    public const string WriteKey = "write-key-0123456789abcdef";
    public const string ReadKey = "read-key-0123456789abcdef";

    private Secured(SwitchboardServer server)
    {
        Server = server;
        Writer = server.HttpWithKey(WriteKey);
        Reader = server.HttpWithKey(ReadKey);
    }

    public SwitchboardServer Server { get; }

    /// <summary>HTTP with the write key.</summary>
    public HttpClient Writer { get; }

    /// <summary>HTTP with the read key.</summary>
    public HttpClient Reader { get; }

    public static async Task<Secured> StartAsync(Action<SwitchboardOptions>? configure = null, TimeProvider? time = null)
    {
        var server = await SwitchboardServer.StartAsync(o =>
        {
            o.Security.AddApiKeys($"{WriteKey},{ReadKey}:read");
            configure?.Invoke(o);
        }, time);
        return new Secured(server);
    }

    /// <summary>Mints a token through <c>POST /api/tokens</c>.</summary>
    public async Task<string> MintAsync(string[]? topics = null, object? labels = null, int? ttlSeconds = null)
    {
        var body = new Dictionary<string, object?>();
        if (topics is not null)
        {
            body["topics"] = topics;
        }

        if (labels is not null)
        {
            body["labels"] = labels;
        }

        if (ttlSeconds is not null)
        {
            body["ttl_seconds"] = ttlSeconds;
        }

        var (status, json, _) = await Writer.PostAsync("/api/tokens", JsonSerializer.Serialize(body));
        status.ShouldBe(200, json.ToString());
        return json.Str("token");
    }

    public Uri SocketUri(string token) => new(Server.WebSocketUri + "&token=" + Uri.EscapeDataString(token));

    public async ValueTask DisposeAsync()
    {
        Writer.Dispose();
        Reader.Dispose();
        await Server.DisposeAsync();
    }
}
