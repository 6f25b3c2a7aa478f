using System.Net.Http.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.UsageRollups;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Storage.Tests;

/// <summary>
/// Rollups are committed with their events: the real executable on SQLite, written to by concurrent producers and
/// killed with SIGKILL mid-write several times, leaves every rollup equal to a recount of the log.
/// </summary>
public sealed class UsageKillTests
{
    private static readonly IReadOnlyList<string> GroupBy = ["team", "model"];

    [Fact]
    public async Task RollupsEqualARecountOfTheLogAfterRepeatedKill9MidWrite()
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string> { ["Switchboard__Usage__GroupBy__0"] = "team", ["Switchboard__Usage__GroupBy__1"] = "model" };
        var random = new Random(18);
        var created = 0;
        var succeeded = 0;
        for (var life = 0; life < 3; life++)
        {
            await using var server = await ServerProcess.StartAsync(data.Path, environment: environment);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
            using var stop = new CancellationTokenSource();
            var killing = 0;
            var producers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
            {
                var mine = new Random(random.Next() + p);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        if (await SendRandomAsync(http, mine, () => Interlocked.Increment(ref created), stop.Token))
                        {
                            Interlocked.Increment(ref succeeded);
                        }
                    }
                }
                catch (Exception ex) when (Volatile.Read(ref killing) == 1 || ex is HttpRequestException or OperationCanceledException)
                {
                    // Writes in flight when the process died (or timed out on a loaded machine): each committed whole or not
                    // at all, which is what the recount below checks.
                }
            })).ToList();

            // Kill once this life has committed enough writes (however slow the machine), while the producers keep writing.
            var lifeStart = Volatile.Read(ref succeeded);
            var deadline = DateTime.UtcNow + TestTimeouts.Default;
            while (Volatile.Read(ref succeeded) - lifeStart < 40 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            await Task.Delay(random.Next(0, 200));
            Volatile.Write(ref killing, 1);
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(producers);
            server.HasExited.ShouldBeTrue();
        }

        await using var store = new SqliteSessionStore(
            new SqliteStoreOptions(Path.Combine(data.Path, "switchboard.db")) { Usage = new UsageOptions { GroupBy = GroupBy } }, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        var events = await store.ReadEventsAsync(new EventQuery { Limit = 1_000_000 }, CancellationToken.None);
        events.Count.ShouldBeGreaterThan(50, "the producers wrote in every life");
        UsageRecount.ShouldMatch(await UsageRecount.ReadAllAsync(store, GroupBy), UsageRecount.FromLog(events, GroupBy));
    }

    private static async Task<bool> SendRandomAsync(HttpClient http, Random random, Func<int> nextId, CancellationToken ct)
    {
        var teams = new[] { "red", "blue", "green" };
        HttpResponseMessage response = random.Next(0, 8) switch
        {
            0 or 1 => await http.PostAsJsonAsync("/api/sessions", new
            {
                id = "k" + (nextId() % 40) + "-" + random.Next(1_000_000),
                labels = random.Next(2) == 0 ? (object)new { team = teams[random.Next(3)] } : new { team = teams[random.Next(3)], model = "m" + random.Next(2) },
                input_tokens = random.Next(100),
            }, ct),
            2 => await http.PatchAsJsonAsync("/api/sessions/" + await AnyIdAsync(http, ct), new { state = random.Next(2) == 0 ? "working" : "idle" }, ct),
            3 => await http.PatchAsJsonAsync("/api/sessions/" + await AnyIdAsync(http, ct), new { labels = new { team = teams[random.Next(3)] } }, ct),
            4 => await http.PostAsJsonAsync("/api/sessions/" + await AnyIdAsync(http, ct) + "/terminate", new { reason = "done" }, ct),
            5 => await http.PatchAsJsonAsync("/api/sessions/" + await AnyIdAsync(http, ct), new { state = "error", error_message = "x" }, ct),
            _ => await http.PostAsJsonAsync("/api/sessions/" + await AnyIdAsync(http, ct) + "/usage",
                new { input_tokens = random.Next(5_000), output_tokens = random.Next(500), cost_usd = random.Next(1_000) / 10_000m }, ct),
        };
        using (response)
        {
            return response.IsSuccessStatusCode;
        }
    }

    private static async Task<string> AnyIdAsync(HttpClient http, CancellationToken ct)
    {
        using var response = await http.GetAsync("/api/sessions?active=true&limit=20", ct);
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct);
        var ids = body.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
        return ids.Count == 0 ? "none" : ids[Random.Shared.Next(ids.Count)];
    }
}
