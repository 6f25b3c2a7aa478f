using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// Routes the page's WebSocket through the test: while on, frames pass both ways unchanged (and are recorded);
/// <see cref="CutAsync"/> closes the live connections and refuses new ones until <see cref="Restore"/>. The HTTP
/// API stays reachable the whole time, as when only the socket path is broken (a proxy, a flaky network).
/// </summary>
public sealed class SocketSwitch
{
    private readonly ConcurrentQueue<(IWebSocketRoute Page, IWebSocketRoute Server)> _live = new();
    private volatile bool _cut;

    public SocketSwitch(bool startCut = false) => _cut = startCut;

    /// <summary>Frames the page sent, in order.</summary>
    public ConcurrentQueue<string> Sent { get; } = new();

    /// <summary>Frames the server sent, in order.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public Task AttachAsync(IBrowserContext context) =>
        context.RouteWebSocketAsync(url => url.Contains("/socket/websocket", StringComparison.Ordinal), Handle);

    public async Task CutAsync()
    {
        _cut = true;
        while (_live.TryDequeue(out var pair))
        {
            await pair.Page.CloseAsync(new() { Code = 1011, Reason = "cut by the test" });
            await pair.Server.CloseAsync();
        }
    }

    public void Restore() => _cut = false;

    /// <summary>When set, the server's replies to heartbeats never reach the page (a half-dead connection).</summary>
    public bool DropHeartbeatReplies { get; set; }

    /// <summary>
    /// When set, every session event on <c>sessions</c> reaches the page twice, as from a relay that retransmits or a
    /// server that replays what the page had already seen.
    /// </summary>
    public bool RepeatSessionEvents { get; set; }

    /// <summary>The heartbeat frames the page sent.</summary>
    public IReadOnlyList<JsonElement> Heartbeats =>
        [.. Sent.Select(Parse).Where(f => f[2].GetString() == "phoenix" && f[3].GetString() == "heartbeat")];

    /// <summary>The payloads of the page's <c>phx_join</c> frames for <paramref name="topic"/>, with their refs.</summary>
    public IReadOnlyList<(string Ref, JsonElement Payload)> Joins(string topic) =>
        [.. Sent.Select(Parse).Where(f => f[2].GetString() == topic && f[3].GetString() == "phx_join")
            .Select(f => (f[1].GetString()!, f[4]))];

    /// <summary>The response of the server's reply to the push with <paramref name="reference"/>.</summary>
    public JsonElement? ReplyTo(string reference) =>
        Received.Select(Parse).Where(f => f[3].GetString() == "phx_reply" && f[1].GetString() == reference)
            .Select(f => (JsonElement?)f[4].GetProperty("response")).FirstOrDefault();

    private static void Forward(IWebSocketFrame frame, ConcurrentQueue<string> log, IWebSocketRoute to)
    {
        if (frame.Text is { } text)
        {
            log.Enqueue(text);
            to.Send(text);
        }
        else
        {
            to.Send(frame.Binary ?? []);
        }
    }

    private static JsonElement Parse(string frame) => JsonDocument.Parse(frame).RootElement;

    private void Handle(IWebSocketRoute page)
    {
        if (_cut)
        {
            _ = page.CloseAsync(new() { Code = 1011, Reason = "cut by the test" });
            return;
        }

        var server = page.ConnectToServer();
        page.OnMessage(frame => Forward(frame, Sent, server));
        server.OnMessage(frame =>
        {
            if (DropHeartbeatReplies && frame.Text is { } text && text.Contains("\"phoenix\",\"phx_reply\"", StringComparison.Ordinal))
            {
                return;
            }

            Forward(frame, Received, page);
            if (RepeatSessionEvents && frame.Text is { } repeated && repeated.Contains("\"sessions\",\"session_", StringComparison.Ordinal))
            {
                page.Send(repeated);
            }
        });
        _live.Enqueue((page, server));
    }
}
