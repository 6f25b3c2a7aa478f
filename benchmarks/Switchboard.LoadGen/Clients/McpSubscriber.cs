using System.Text;

namespace Switchboard.LoadGen.Clients;

/// <summary>
/// The least an MCP client does to hear the fleet change, over Streamable HTTP on one <see cref="HttpClient"/>:
/// <c>initialize</c> (a session, <c>Mcp-Session-Id</c>), <c>notifications/initialized</c>, the GET stream the server's
/// own messages come on, then <c>resources/subscribe</c> of a URI. Each <c>notifications/resources/updated</c> is noted
/// with the wall clock at which its line was read, to compare with the events' <c>at</c> (same machine, same clock).
/// </summary>
internal sealed class McpSubscriber : IAsyncDisposable
{
    // A revision that has sessions: 2026-07-28 clients are served statelessly and cannot subscribe (docs/mcp.md).
    private const string ProtocolVersion = "2025-11-25";

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _received = [];
    private string _sessionId = "";
    private Task _reading = Task.CompletedTask;

    public McpSubscriber(HttpClient http) => _http = http;

    /// <summary>Notifications that ended in a read error (the stream closed under it).</summary>
    public int StreamErrors { get; private set; }

    /// <summary>The wall-clock ticks (UTC) at which each update notification arrived, in order.</summary>
    public long[] Received()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    public void Clear()
    {
        lock (_received)
        {
            _received.Clear();
        }
    }

    public async Task StartAsync(string uri)
    {
        using (var init = await PostAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":""" +
            $"\"{ProtocolVersion}\"" + ""","capabilities":{},"clientInfo":{"name":"loadgen","version":"1"}}}"""))
        {
            _sessionId = init.Headers.GetValues("Mcp-Session-Id").Single();
        }

        (await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""")).Dispose();
        var listen = new HttpRequestMessage(HttpMethod.Get, "/mcp");
        listen.Headers.Accept.ParseAdd("text/event-stream");
        Identify(listen);
        var stream = await _http.SendAsync(listen, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        stream.EnsureSuccessStatusCode();
        _reading = ReadAsync(stream);
        (await PostAsync("""{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":""" + $"\"{uri}\"" + "}}")).Dispose();
    }

    private async Task ReadAsync(HttpResponseMessage stream)
    {
        try
        {
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(_stop.Token), Encoding.UTF8);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains("notifications/resources/updated", StringComparison.Ordinal))
                {
                    var now = DateTime.UtcNow.Ticks;
                    lock (_received)
                    {
                        _received.Add(now);
                    }
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            StreamErrors++;
        }
        finally
        {
            stream.Dispose();
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        Identify(request);
        var response = await _http.SendAsync(request, _stop.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"MCP {json[..Math.Min(60, json.Length)]}… answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.LoadIntoBufferAsync(); // a request's answer may come as one SSE event: read to its end
        return response;
    }

    private void Identify(HttpRequestMessage request)
    {
        if (_sessionId.Length > 0)
        {
            request.Headers.Add("Mcp-Session-Id", _sessionId);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        if (_sessionId.Length > 0)
        {
            var end = new HttpRequestMessage(HttpMethod.Delete, "/mcp");
            Identify(end);
            try
            {
                (await _http.SendAsync(end)).Dispose();
            }
            catch (HttpRequestException)
            {
                // the server may be gone already; the session ends with it
            }
        }

        _stop.Dispose();
    }
}
