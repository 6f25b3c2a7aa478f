using Switchboard.Testing;

namespace Switchboard.Dashboard.Tests.Browser;

/// <summary>
/// Two sessions with usage on a server that splits usage by <c>team</c>: red-1 (team red, 4,000 tokens, $0.50) and
/// blue-1 (team blue, 120 tokens, $0.01), so a split by team draws two lines, red first, over 4,120 tokens.
/// </summary>
public static class TwoTeams
{
    public static async Task<SwitchboardServer> StartAsync()
    {
        var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("team"));
        await server.Http.CreateAsync("red-1", labels: new Dictionary<string, string> { ["team"] = "red" });
        await server.Http.CreateAsync("blue-1", labels: new Dictionary<string, string> { ["team"] = "blue" });
        await server.Http.UsageAsync("red-1", 3000, 1000, 0.5m);
        await server.Http.UsageAsync("blue-1", 100, 20, 0.01m);
        return server;
    }
}
