using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Options;
using Switchboard.Testing;

namespace Switchboard.Conformance.Tests;

/// <summary>
/// The Durable Streams protocol's own server conformance suite, unmodified from npm, against a real Switchboard on
/// Kestrel at <c>/v1/stream/{path}</c>: on SQLite, and on a throwaway PostgreSQL cluster. Every test the suite does not
/// skip must pass (the suite skips only its optional subscription APIs); a failure names each failing test. The only
/// setting changed is the origin allow-list, to take the suite's CORS preflight from <c>https://example.com</c>.
/// </summary>
public sealed class DurableStreamsConformanceTests(PostgresClusterFixture postgres, ITestOutputHelper output)
{
    /// <summary>The suite's tests that the pinned version (0.3.6) runs without its opt-in subscription APIs.</summary>
    private const int SuiteTests = 332;

    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(3);

    private static void Configure(SwitchboardOptions o) => o.Security.AllowedOrigins.Add("https://example.com");

    [Fact]
    public async Task EveryTestOfTheOfficialSuitePassesOnSqlite()
    {
        await using var server = await SwitchboardServer.StartAsync(Configure);
        await AssertPassesAsync(server);
    }

    [Fact]
    public async Task EveryTestOfTheOfficialSuitePassesOnPostgres()
    {
        var database = await (await postgres.GetAsync()).CreateDatabaseAsync();
        await using var server = await SwitchboardServer.StartAsync(Configure, store: b => b.UsePostgres(database));
        await AssertPassesAsync(server);
    }

    private async Task AssertPassesAsync(SwitchboardServer server)
    {
        var result = await DurableStreamsSuite.RunAsync(server.BaseAddress, Quiet);
        output.WriteLine($"{result.Passed} passed, {result.Failed.Count()} failed, {result.Skipped} skipped of {result.Tests.Count}");
        if (result.Failed.Any())
        {
            output.WriteLine(result.Output);
        }

        result.Failed.ShouldBeEmpty($"these tests of the official suite failed:\n{result.Describe()}\n");
        // A run that ran less than the whole suite (a crash, a filter, another version) must not pass as green.
        result.Passed.ShouldBe(SuiteTests, $"the suite ran {result.Tests.Count} tests, {result.Skipped} skipped");
    }
}
