using System.Net.WebSockets;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Startup;

/// <summary>
/// A renamed setting keeps working under its old key (issue 57: the sockets' section was <c>Switchboard:Stream</c>, now
/// <c>Switchboard:Sockets</c>): the real executable reads it, and says once at start what to rename it to.
/// </summary>
public sealed class RenamedSettingsTests
{
    [Fact]
    public async Task TheOldSocketsKeyStillLimitsConnectionsAndIsLoggedAsDeprecated()
    {
        using var data = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["Switchboard__Stream__MaxConnections"] = "1" });

        await using var first = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await Should.ThrowAsync<WebSocketException>(() => PhoenixClient.ConnectAsync(server.WebSocketUri))).Message.ShouldContain("503");
        server.Output.ShouldContain("Setting Switchboard:Stream is deprecated and still read; rename it Switchboard:Sockets");
    }

    [Fact]
    public async Task TheNewKeyWinsOverTheOldOneAndNothingIsLoggedWithoutTheOldOne()
    {
        using var data = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["Switchboard__Sockets__MaxConnections"] = "1" });

        await using var first = await PhoenixClient.ConnectAsync(server.WebSocketUri);
        (await Should.ThrowAsync<WebSocketException>(() => PhoenixClient.ConnectAsync(server.WebSocketUri))).Message.ShouldContain("503");
        server.Output.ShouldNotContain("is deprecated");
    }
}
