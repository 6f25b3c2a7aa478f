using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary><c>switchboard usage</c> as a child process against a real server that rolls up by team.</summary>
public sealed class UsageCommandTests
{
    [Fact]
    public async Task UsagePrintsATablePerBucketAndSplitsByALabel()
    {
        await using var server = await SwitchboardServer.StartAsync(o => o.Usage.GroupBy.Add("team"));
        using var client = new SwitchboardClient(server.BaseAddress);
        await client.CreateSessionAsync(new NewSession { Id = "u-red", Labels = new Dictionary<string, string> { ["team"] = "red" }, InputTokens = 1500, CostUsd = 0.25m });
        await client.CreateSessionAsync(new NewSession { Id = "u-blue", Labels = new Dictionary<string, string> { ["team"] = "blue" }, OutputTokens = 40 });
        await client.TerminateSessionAsync("u-blue");
        var url = server.BaseAddress.ToString();

        var (code, all) = await Cli.RunAsync("usage", "--url", url);
        code.ShouldBe(0, all.Output);
        all.StdoutLines[0].ShouldStartWith("BUCKET (UTC)");
        all.StdoutLines[0].ShouldContain("COST");
        all.StdoutLines.ShouldContain(l => l.Contains("1,500", StringComparison.Ordinal) && l.Contains("1,540", StringComparison.Ordinal) && l.Contains("$0.2500", StringComparison.Ordinal));
        all.StdoutLines[^1].ShouldStartWith("1,540 tokens, $0.2500 since ");

        var (_, byTeam) = await Cli.RunAsync("usage", "--url", url, "--bucket", "1m", "--group-by", "team", "--since", "2h");
        byTeam.StdoutLines[0].ShouldContain("TEAM");
        byTeam.StdoutLines.ShouldContain(l => l.Contains(" red ", StringComparison.Ordinal) && l.Contains("1,500", StringComparison.Ordinal));
        byTeam.StdoutLines.ShouldContain(l => l.Contains(" blue ", StringComparison.Ordinal) && l.Contains("40", StringComparison.Ordinal));

        var (badGroup, unknown) = await Cli.RunAsync("usage", "--url", url, "--group-by", "project");
        badGroup.ShouldNotBe(0);
        unknown.Output.ShouldContain("group_by");

        var (badBucket, bucket) = await Cli.RunAsync("usage", "--bucket", "2h");
        badBucket.ShouldBe(2);
        bucket.Output.ShouldContain("--bucket is 1m, 1h or 1d");

        foreach (var p in new[] { all, byTeam, unknown, bucket })
        {
            await p.DisposeAsync();
        }
    }
}
