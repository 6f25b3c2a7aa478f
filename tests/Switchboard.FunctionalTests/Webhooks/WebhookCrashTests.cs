using Switchboard.FunctionalTests.Http;
using Switchboard.FunctionalTests.MultiNode;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Webhooks;

/// <summary>Delivery survives <c>kill -9</c> of the delivering process: on a restart, and on the other node of a PostgreSQL pair.</summary>
public sealed class WebhookCrashTests(PostgresClusterFixture postgres)
{
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["Switchboard__Webhooks__InitialBackoff"] = "00:00:00.050",
        ["Switchboard__Webhooks__PollInterval"] = "00:00:00.200",
        ["Switchboard__Webhooks__LeaseDuration"] = "00:00:02",
    };

    [Fact]
    public async Task KillingTheServerMidDeliveryLosesNothingAndRepeatsOnlyWhatWasInFlight()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Delay = TimeSpan.FromMilliseconds(30);
        using var data = new TempDirectory();
        var server = await ServerProcess.StartAsync(data.Path, environment: Fast);
        long inFlight;
        try
        {
            using var http = Nodes.Http(server);
            (await http.PostAsync("/api/webhooks", new { url = receiver.Url })).Status.ShouldBe(201);
            for (var i = 0; i < 40; i++)
            {
                await http.CreateAsync($"s{i}");
            }

            await TestTimeouts.Eventually(() => receiver.All.Count >= 10, "delivery under way");
            await server.KillAsync();
            inFlight = receiver.All.Count + 1;
        }
        finally
        {
            await server.DisposeAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(data.Path, environment: Fast);
        await TestTimeouts.Eventually(() => receiver.All.Select(d => d.Seq).Distinct().Count() == 40, "every event after the restart");
        var seqs = receiver.All.Select(d => d.Seq).ToList();
        seqs.Distinct().Order().ShouldBe(Enumerable.Range(1, 40).Select(i => (long)i));
        // Each event arrives once, except those in flight at the kill (the receiver may have answered after the process died).
        var duplicates = seqs.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        duplicates.Count.ShouldBeLessThanOrEqualTo(1, string.Join(",", seqs));
        duplicates.ShouldAllBe(s => s >= inFlight - 2 && s <= inFlight);
        // And in seq order: after the restart, delivery starts again at the first event not acknowledged.
        for (var i = 1; i < seqs.Count; i++)
        {
            (seqs[i] == seqs[i - 1] + 1 || duplicates.Contains(seqs[i])).ShouldBeTrue(string.Join(",", seqs));
        }
    }

    [Fact]
    public async Task OnTwoPostgresNodesOneDeliversAndTheOtherTakesOverWhenItDies()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var db = await (await postgres.GetAsync()).CreateDatabaseAsync();
        using var dataA = new TempDirectory();
        using var dataB = new TempDirectory();
        string[] args = ["--store", "postgres", "--connection-string", db];
        var a = await ServerProcess.StartAsync(dataA.Path, args, Fast);
        var b = await ServerProcess.StartAsync(dataB.Path, args, Fast);
        try
        {
            using var httpA = Nodes.Http(a);
            using var httpB = Nodes.Http(b);
            var id = (await httpA.PostAsync("/api/webhooks", new { url = receiver.Url })).Body.Str("id");
            for (var i = 0; i < 10; i++)
            {
                await (i % 2 == 0 ? httpA : httpB).CreateAsync($"s{i}");
            }

            await TestTimeouts.Eventually(() => receiver.Accepted.Count == 10, "the first ten");
            // The receiver records a delivery before it answers, and the worker saves its cursor after the answer: killed
            // before that save, the survivor would rightly deliver the tenth again (delivery is at least once).
            await TestTimeouts.Eventually(async () => (await httpA.GetJsonAsync($"/api/webhooks/{id}")).Body.Long("cursor") == 10, "the tenth's cursor saved");
            var owner = (await httpA.GetJsonAsync($"/api/webhooks/{id}")).Body.Str("delivering_node");
            var (dying, survivor, survivorHttp) = owner.Contains($"-{a.Pid}-", StringComparison.Ordinal) ? (a, b, httpB) : (b, a, httpA);
            owner.ShouldContain($"-{dying.Pid}-");

            await dying.KillAsync();
            for (var i = 10; i < 20; i++)
            {
                await survivorHttp.CreateAsync($"s{i}");
            }

            await TestTimeouts.Eventually(() => receiver.Accepted.Select(d => d.Seq).Distinct().Count() == 20, "the survivor delivers the rest");
            var seqs = receiver.Accepted.Select(d => d.Seq).ToList();
            seqs.ShouldBe(Enumerable.Range(1, 20).Select(i => (long)i), "exactly once each and in order: the dying node had saved its cursor, nothing was in flight at the kill");
            (await survivorHttp.GetJsonAsync($"/api/webhooks/{id}")).Body.Str("delivering_node").ShouldContain($"-{survivor.Pid}-");
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
