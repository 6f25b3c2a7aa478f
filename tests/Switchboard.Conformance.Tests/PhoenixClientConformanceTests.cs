using System.Net.Http.Json;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>The unmodified phoenix npm client (1.8.16, with ws) under Node against the real server.</summary>
public sealed class PhoenixClientConformanceTests
{
    [Fact]
    public async Task ClientConnectsWithParamsAndAnUnservedVsnIsRefused()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/connect.js", server.BaseAddress);
    }

    [Fact]
    public async Task V1ClientsJoinReceiveAndResumeOverWebSocketAndLongPoll()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/v1.js", server.BaseAddress);
    }

    [Fact]
    public async Task HeartbeatsAreAnsweredWithTheSameStringRefs()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/heartbeat.js", server.BaseAddress);
    }

    [Fact]
    public async Task JoinsResolveOkErrorOrUnmatchedTopic()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/join.js", server.BaseAddress);
    }

    [Fact]
    public async Task BroadcastsReachChannelsOnTwoSockets()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/broadcast.js", server.BaseAddress);
    }

    [Fact]
    public async Task ASessionGoingWorkingWaitingWorkingReachesTheSessionFleetAndSummaryTopics()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/states.js", server.BaseAddress);
    }

    [Fact]
    public async Task UsageChartsGetTheSeriesThenIncrementsThatAddUpToTheStoredRollups()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("team"));
        await NodeDriver.RunAsync("conformance/usage.js", server.BaseAddress);
    }

    [Fact]
    public async Task LeaveIsAnsweredThenClosed()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await NodeDriver.RunAsync("conformance/leave.js", server.BaseAddress);
    }

    [Fact]
    public async Task ClientReconnectsAndRejoinsAfterAServerCloseWith1001()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
        await using var driver = NodeDriver.Start("conformance/reconnect.js", server.BaseAddress);
        try
        {
            await driver.WaitForSignalAsync("joined");
            await server.StopAsync();
            await server.DisposeAsync();
            server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
            await driver.SendAsync("restarted");
            await driver.WaitForExitAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ClientResumesWithSinceAcrossARestart()
    {
        using var data = new TempDirectory();
        var urls = $"http://127.0.0.1:{FreePort.Next()}";
        var server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
        await using var driver = NodeDriver.Start("conformance/resume.js", server.BaseAddress);
        try
        {
            await driver.WaitForSignalAsync("ready");
            await server.StopAsync();
            await server.DisposeAsync();

            // While the client cannot reach it, the server runs elsewhere and commits events it will have to replay.
            await using (var elsewhere = await SwitchboardServer.StartAsync(dataDirectory: data.Path))
            {
                for (var i = 0; i < 5; i++)
                {
                    (await elsewhere.Http.PostAsJsonAsync("/api/sessions", new { id = $"missed-{i}" })).EnsureSuccessStatusCode();
                }
            }

            server = await SwitchboardServer.StartAsync(dataDirectory: data.Path, urls: urls);
            await driver.SendAsync("restarted 5");
            await driver.WaitForExitAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
