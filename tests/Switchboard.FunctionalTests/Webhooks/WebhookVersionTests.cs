using System.Text.Json;
using Switchboard.FunctionalTests.Http;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Webhooks;

/// <summary>
/// An endpoint's configuration has a version: a PUT with <c>expected_version</c> lands only on that version, so an edit
/// made between someone's read and write is refused (409 <c>version_conflict</c>) instead of overwritten.
/// </summary>
public sealed class WebhookVersionTests
{
    private static Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PutAsync(SwitchboardServer server, object body) =>
        server.Http.SendAsync(HttpMethod.Put, "/api/webhooks/hook", JsonSerializer.Serialize(body));

    [Fact]
    public async Task AStalePutIsAVersionConflictAndChangesNothing()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var created = await server.Http.PostAsync("/api/webhooks", new { id = "hook", url = "http://127.0.0.1:9/a" });
        created.Body.Long("version").ShouldBe(1);

        var moved = await PutAsync(server, new { url = "http://127.0.0.1:9/b", expected_version = 1 });
        moved.Status.ShouldBe(200, moved.Body.ToString());
        moved.Body.Long("version").ShouldBe(2);

        var stale = await PutAsync(server, new { url = "http://127.0.0.1:9/a", enabled = false, expected_version = 1 });
        stale.ShouldBeProblem(409, "expected_version");
        stale.Body.Str("code").ShouldBe("version_conflict");
        stale.Body.Str("detail").ShouldBe(
            "Webhook 'hook' is at version 2, but expected_version was 1. Read the webhook again and retry with its current version.");
        var kept = (await server.Http.GetJsonAsync("/api/webhooks/hook")).Body;
        (kept.Str("url"), kept.GetProperty("enabled").GetBoolean(), kept.Long("version")).ShouldBe(("http://127.0.0.1:9/b", true, 2L));

        // A replay moves the delivery state, not the configuration's version; a PUT without expected_version still replaces.
        (await server.Http.PostAsync("/api/webhooks/hook/replay", new { from_seq = 1 })).Body.Long("version").ShouldBe(2);
        (await PutAsync(server, new { url = "http://127.0.0.1:9/c" })).Body.Long("version").ShouldBe(3);
        (await server.Http.GetJsonAsync("/api/webhooks")).Body.GetProperty("webhooks")[0].Long("version").ShouldBe(3);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1:9/b","expected_version":0}""")]
    [InlineData("""{"url":"http://127.0.0.1:9/b","expected_version":"1"}""")]
    [InlineData("""{"url":"http://127.0.0.1:9/b","expected_version":1.5}""")]
    public async Task AnExpectedVersionThatIsNotAPositiveIntegerIsRefused(string body)
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.PostAsync("/api/webhooks", new { id = "hook", url = "http://127.0.0.1:9/a" });
        (await server.Http.SendAsync(HttpMethod.Put, "/api/webhooks/hook", body)).ShouldBeProblem(400, "expected_version");
        (await server.Http.PostAsync("/api/webhooks", new { id = "other", url = "http://127.0.0.1:9/a", expected_version = 1 })).ShouldBeProblem(400, "expected_version");
        (await server.Http.GetJsonAsync("/api/webhooks/hook")).Body.Str("url").ShouldBe("http://127.0.0.1:9/a");
    }

    [Fact]
    public async Task OfPutsRacingWithTheSameExpectedVersionExactlyOneLands()
    {
        await using var server = await SwitchboardServer.StartAsync();
        await server.Http.PostAsync("/api/webhooks", new { id = "hook", url = "http://127.0.0.1:9/a" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => PutAsync(server, new { url = $"http://127.0.0.1:9/{i}", expected_version = 1 })));

        answers.Select(a => a.Status).Order().ShouldBe([200, 409, 409, 409, 409, 409, 409, 409]);
        var winner = answers.Single(a => a.Status == 200).Body;
        var stored = (await server.Http.GetJsonAsync("/api/webhooks/hook")).Body;
        (stored.Str("url"), stored.Long("version")).ShouldBe((winner.Str("url"), 2L));
    }
}
