using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>Long-poll and presence with the unmodified phoenix npm client under Node.</summary>
public sealed class LongPollAndPresenceTests
{
    [Fact]
    public async Task LongPollJoinsPushesReceivesBroadcastsAndResumes()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/longpoll.js", server.BaseAddress);
    }

    [Fact]
    public async Task LongPollSessionsFollowThePhoenixStatusProtocol()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        void Fast(SwitchboardOptions o) => o.Sockets.LongPollWindow = TimeSpan.FromMilliseconds(500);
        var server = await SwitchboardServer.StartAsync(Fast, dataDirectory: data.Path, urls: urls);
        await using var driver = NodeDriver.Start("conformance/longpoll-session.js", server.BaseAddress);
        try
        {
            await driver.WaitForSignalAsync("joined");
            await server.DisposeAsync(); // long-poll sessions live in memory: after a restart every token is unknown
            server = await SwitchboardServer.StartAsync(Fast, dataDirectory: data.Path, urls: urls);
            await driver.SendAsync("restarted");
            await driver.WaitForExitAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task LongPollAtTheConnectionLimitIsRefusedThenJoinsOnceASlotFrees()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.MaxConnections = 1);
        await using var driver = NodeDriver.Start("conformance/longpoll-limit.js", server.BaseAddress);
        var blocker = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        await driver.SendAsync("full");
        await driver.WaitForSignalAsync("refused");
        await blocker.DisposeAsync();
        await driver.SendAsync("freed");
        await driver.WaitForExitAsync();
    }

    [Fact]
    public async Task TheClientFallsBackToLongPollWhenWebSocketsAreRefused()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Sockets.EnableWebSocket = false);
        await NodeDriver.RunAsync("conformance/fallback.js", server.BaseAddress);
    }

    [Fact]
    public async Task PresenceListMatchesTheViewersThroughJoinsLeavesAndDrops()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/presence.js", server.BaseAddress);
    }

    [Fact]
    public async Task AuthTokensWorkAsTheAuthTokenOptionOverBothTransportsAndAsAConnectParam()
    {
        const string key = "conformance-write-key-0123456789";
        await using var server = await SwitchboardServer.StartAsync(o => o.Security.AddApiKeys(key));
        await NodeDriver.RunAsync("conformance/auth.js", server.BaseAddress, new Dictionary<string, string> { ["SWITCHBOARD_API_KEY"] = key });
    }

    [Fact]
    public async Task APresenceDiffBeforeTheStateIsHandled()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/presence-order.js", server.BaseAddress);
    }
}
