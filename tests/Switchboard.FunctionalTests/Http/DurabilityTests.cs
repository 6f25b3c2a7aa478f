using System.Collections.Concurrent;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>A 2xx write survives <c>kill -9</c>: the real executable, SIGKILL, restart on the same data directory.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task AcknowledgedWritesSurviveKill9AndSeqContinuesWithoutAGap()
    {
        using var data = new TempDirectory();
        var acknowledged = new ConcurrentDictionary<string, long>();
        await using (var server = await ServerProcess.StartAsync(data.Path))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            // Four producers write concurrently so commits group; each remembers what was acknowledged.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async p =>
            {
                for (var i = 0; i < 25; i++)
                {
                    var id = $"p{p}-{i}";
                    var created = await http.PostAsync("/api/sessions", new { id, state = "working" });
                    created.Status.ShouldBe(201);
                    acknowledged[id] = 1;
                    var usage = await http.PostAsync($"/api/sessions/{id}/usage", new { input_tokens = 7 });
                    usage.Status.ShouldBe(200);
                    acknowledged[id] = usage.Body.Long("version");
                }
            }));

            await server.KillAsync();
            server.HasExited.ShouldBeTrue();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        foreach (var (id, version) in acknowledged)
        {
            var session = (await again.GetJsonAsync($"/api/sessions/{id}")).Body;
            session.Long("version").ShouldBe(version, id);
            session.Long("input_tokens").ShouldBe(7);
        }

        var events = await again.EventsAsync();
        events.Count.ShouldBe(200);
        events.Select(e => e.Long("seq")).ShouldBe(Enumerable.Range(1, 200).Select(i => (long)i));

        var next = await again.PostAsync("/api/sessions", new { id = "after-restart" });
        next.Status.ShouldBe(201);
        (await again.EventsAsync(since: 200)).Single().Long("seq").ShouldBe(201);
    }
}
