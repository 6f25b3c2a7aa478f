using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>
/// A plain session field over the wire, measured on <c>tasks_running</c> (an Int32 declared once in SessionWire): the
/// generated request reading takes any JSON integer that fits, on create and update, and refuses anything else with the
/// same problem+json, word for word, as the hand-bound Int32 field <c>lease_seconds</c>.
/// </summary>
public sealed class PlainFieldWireTests : IAsyncLifetime
{
    private SwitchboardServer _server = null!;
    private HttpClient Http => _server.Http;

    public async ValueTask InitializeAsync() => _server = await SwitchboardServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AJsonIntegerIsAcceptedOnCreateAndUpdateAndAnUpdateWithoutItKeepsIt()
    {
        (await Http.CreateAsync("w1", new { tasks_running = 3 })).Long("tasks_running").ShouldBe(3);

        var (status, body, _) = await Http.PatchAsync("/api/sessions/w1", """{"tasks_running":2147483647}""");
        status.ShouldBe(200, body.ToString());
        body.Long("tasks_running").ShouldBe(int.MaxValue);

        (await Http.PatchAsync("/api/sessions/w1", """{"name":"n"}""")).Body.Long("tasks_running").ShouldBe(int.MaxValue);
        (await Http.GetJsonAsync("/api/sessions/w1")).Body.Long("tasks_running").ShouldBe(int.MaxValue);
    }

    [Theory]
    [InlineData("\"3\"")]
    [InlineData("3.5")]
    [InlineData("2147483648")]
    [InlineData("true")]
    [InlineData("{}")]
    public async Task AWrongValueIsTheSameProblemAsForAHandBoundIntegerField(string value)
    {
        await Http.CreateAsync("w2");

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Patch })
        {
            var path = method == HttpMethod.Post ? "/api/sessions" : "/api/sessions/w2";
            var plain = await Http.SendAsync(method, path, $$"""{"tasks_running":{{value}}}""");
            var bound = await Http.SendAsync(method, path, $$"""{"lease_seconds":{{value}}}""");

            plain.ShouldBeProblem(400, "tasks_running");
            bound.ShouldBeProblem(400, "lease_seconds");
            plain.Body.Str("type").ShouldBe(bound.Body.Str("type"));
            plain.Body.Str("detail").ShouldBe(bound.Body.Str("detail").Replace("lease_seconds", "tasks_running", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task NullIsRefusedForAFieldThatCannotBeNull()
    {
        await Http.CreateAsync("w3", new { tasks_running = 1 });

        (await Http.PatchAsync("/api/sessions/w3", """{"tasks_running":null}""")).ShouldBeProblem(400, "tasks_running");
        (await Http.PostAsync("/api/sessions", """{"id":"w4","tasks_running":null}""")).ShouldBeProblem(400, "tasks_running");
        (await Http.GetJsonAsync("/api/sessions/w3")).Body.Long("tasks_running").ShouldBe(1);
    }

    [Fact]
    public async Task ANegativeValueIsRefusedByTheDeclaredMinimum()
    {
        await Http.CreateAsync("w5");

        var refused = await Http.PatchAsync("/api/sessions/w5", """{"tasks_running":-1}""");
        refused.ShouldBeProblem(400, "tasks_running");
        refused.Body.Str("detail").ShouldContain("'tasks_running' must be zero or positive; got -1.");
    }
}
