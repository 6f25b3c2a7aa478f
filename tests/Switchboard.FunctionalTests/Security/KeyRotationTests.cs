using System.Net;
using System.Net.Http.Headers;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// Key rotation without a restart: the real executable re-reads the API keys in its appsettings.json when the file
/// changes. A new key works, a removed one stops, and a change that would switch auth off is refused.
/// </summary>
public sealed class KeyRotationTests
{
    private const string Old = "old-key-0123456789abcdef0123456789";
    private const string New = "new-key-0123456789abcdef0123456789";

    private static string Settings(params string[] keys) => System.Text.Json.JsonSerializer.Serialize(new
    {
        Switchboard = new { Security = new { ApiKeys = keys.Select(k => new { Key = k, Scope = "Write" }) } },
    });

    [Fact]
    public async Task ANewKeyWorksAndARemovedOneStopsWhileTheServerKeepsRunning()
    {
        using var root = new TempDirectory();
        var settings = Path.Combine(root.Path, "appsettings.json");
        await File.WriteAllTextAsync(settings, Settings(Old), TestContext.Current.CancellationToken);
        await using var server = await ServerProcess.StartAsync(Path.Combine(root.Path, "data"), ["--contentRoot", root.Path]);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        async Task<HttpStatusCode> ListWith(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sessions");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        (await ListWith(Old)).ShouldBe(HttpStatusCode.OK);
        (await ListWith(New)).ShouldBe(HttpStatusCode.Unauthorized);

        await File.WriteAllTextAsync(settings, Settings(New), TestContext.Current.CancellationToken);
        await TestTimeouts.Eventually(async () => await ListWith(New) == HttpStatusCode.OK, "the new key to work");
        (await ListWith(Old)).ShouldBe(HttpStatusCode.Unauthorized, "the removed key stops at once");

        // No key at all would switch auth off on a running node: refused, the current key stays.
        await File.WriteAllTextAsync(settings, """{"Switchboard":{"Security":{"ApiKeys":[]}}}""", TestContext.Current.CancellationToken);
        await TestTimeouts.Eventually(() => Task.FromResult(server.Output.Contains("were not applied", StringComparison.Ordinal)), "the refusal");
        (await ListWith(New)).ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/api/sessions")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        server.Output.ShouldNotContain(New);
        server.Output.ShouldNotContain(Old);
    }

    [Fact]
    public async Task AReloadThatPutsAnotherSettingOutOfRangeStillRotatesKeysAndTheServerKeepsRunning()
    {
        using var root = new TempDirectory();
        var settings = Path.Combine(root.Path, "appsettings.json");
        await File.WriteAllTextAsync(settings, Settings(Old), TestContext.Current.CancellationToken);
        await using var server = await ServerProcess.StartAsync(Path.Combine(root.Path, "data"), ["--contentRoot", root.Path]);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", New);

        // Settings other than the keys are read once, at start: a bad value in a reload is not validated on the
        // configuration's thread (which would take the process down) and does not reach the running node.
        var bad = """{"Switchboard":{"Stream":{"SendQueueMaxFrames":0},"Security":{"ApiKeys":[{"Key":"NEW","Scope":"Write"}]}}}""".Replace("NEW", New, StringComparison.Ordinal);
        await File.WriteAllTextAsync(settings, bad, TestContext.Current.CancellationToken);
        await TestTimeouts.Eventually(async () => (await http.GetAsync("/api/sessions")).StatusCode == HttpStatusCode.OK, "the new key to work");
        server.HasExited.ShouldBeFalse(server.Output);
    }
}
