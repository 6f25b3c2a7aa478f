using System.Text.Json;
using Switchboard.Core.Sessions;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Every transition of the table through the HTTP API: allowed ones succeed, forbidden ones are 409 and change nothing.</summary>
public sealed class TransitionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var from in SessionStates.All)
        {
            foreach (var to in SessionStates.All)
            {
                data.Add(from.ToWire(), to.ToWire());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task TransitionIsAppliedOrRefusedAsTheTableSays(string from, string to)
    {
        var http = fixture.Server.Http;
        var id = $"t-{from}-{to}-{Guid.NewGuid():N}"[..40];
        await ReachAsync(http, id, from);
        var before = (await http.GetJsonAsync($"/api/sessions/{id}")).Body;
        var eventsBefore = (await http.EventsAsync(sessionId: id)).Count;

        SessionStates.TryParse(from, out var f);
        SessionStates.TryParse(to, out var t);
        var allowed = SessionStateMachine.IsAllowed(f, t);
        var result = await http.PatchAsync($"/api/sessions/{id}", new { state = to });
        var after = (await http.GetJsonAsync($"/api/sessions/{id}")).Body;
        var eventsAfter = (await http.EventsAsync(sessionId: id)).Count;

        if (allowed)
        {
            result.Status.ShouldBe(200, result.Body.ToString());
            after.Str("state").ShouldBe(to);
            var changed = from != to;
            after.Long("version").ShouldBe(before.Long("version") + (changed ? 1 : 0));
            eventsAfter.ShouldBe(eventsBefore + (changed ? 1 : 0));
        }
        else
        {
            result.ShouldBeProblem(409, "state");
            result.Body.Str("detail").ShouldContain($"'{from}'");
            result.Body.Str("detail").ShouldContain($"'{to}'");
            after.ToString().ShouldBe(before.ToString());
            eventsAfter.ShouldBe(eventsBefore);
        }
    }

    /// <summary>Creates a session and walks it to <paramref name="state"/> by allowed steps.</summary>
    private static async Task ReachAsync(HttpClient http, string id, string state)
    {
        switch (state)
        {
            case "terminating":
                await http.CreateAsync(id, new { state = "idle" });
                (await http.PatchAsync($"/api/sessions/{id}", new { state })).Status.ShouldBe(200);
                break;
            case "terminated":
                await http.CreateAsync(id);
                (await http.PostAsync($"/api/sessions/{id}/terminate")).Status.ShouldBe(200);
                break;
            default:
                await http.CreateAsync(id, new { state });
                break;
        }

        (await http.GetJsonAsync($"/api/sessions/{id}")).Body.Str("state").ShouldBe(state);
    }
}

/// <summary>One server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public SwitchboardServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await SwitchboardServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
