using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ConcurrentWritersProduceADenseOrderedSeqAndDenseVersions()
    {
        await using var server = await SwitchboardServer.StartAsync();
        var sessions = new[] { "c0", "c1", "c2", "c3" };
        foreach (var id in sessions)
        {
            await server.Http.CreateAsync(id);
        }

        const int writers = 8, updates = 500;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            for (var i = 0; i < updates; i++)
            {
                // Overlapping: every writer touches every session.
                var id = sessions[(w + i) % sessions.Length];
                var r = await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 1 });
                r.Status.ShouldBe(200, r.Body.ToString());
            }
        })));

        var events = await server.Http.EventsAsync();
        events.Count.ShouldBe(sessions.Length + writers * updates);
        events.Select(e => e.Long("seq")).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        foreach (var id in sessions)
        {
            var versions = events.Where(e => e.Str("session_id") == id)
                .Select(e => e.Str("type") == "session_created" ? 1 : e.GetProperty("data").Long("version")).ToList();
            versions.ShouldBe(Enumerable.Range(1, versions.Count).Select(i => (long)i), id);
            var session = (await server.Http.GetJsonAsync($"/api/sessions/{id}")).Body;
            session.Long("version").ShouldBe(versions.Count);
            session.Long("input_tokens").ShouldBe(versions.Count - 1);
        }
    }
}
