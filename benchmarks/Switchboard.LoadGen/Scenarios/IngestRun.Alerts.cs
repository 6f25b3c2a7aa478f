using System.Diagnostics;
using System.Text;
using Switchboard.LoadGen.Measure;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// The cost of alerting on ingest: <c>/api/batch</c> with 20 alert rules evaluating every event and 2 webhook endpoints
/// delivering it, against the same ingest without them. Each round starts a fresh server on an empty data directory and
/// the rounds alternate (without, with, with, without, without, with), so neither side gets a smaller database, a cooler
/// machine or more tiered-up code than the other.
/// </summary>
internal sealed partial class IngestRun
{
    private static readonly bool[] AlertRounds = [false, true, true, false, false, true];

    /// <summary>Webhook delivery measured with the first alerts round: how fast both endpoints caught up, in events per second.</summary>
    public WebhookDelivery? Webhooks { get; private set; }

    private async Task<IReadOnlyList<IngestResult>> CompareAlertsAsync(BenchPaths paths)
    {
        var results = new List<IngestResult>();
        for (var round = 0; round < AlertRounds.Length; round++)
        {
            var alerts = AlertRounds[round];
            var data = Directory.CreateTempSubdirectory("switchboard-ingest-alerts-");
            var target = new SwitchboardTarget();
            using var receiver = alerts ? new WebhookReceiver() : null;
            try
            {
                await StartWithSessionsAsync(target, paths, data.FullName);
                if (receiver is not null)
                {
                    await AddAlertsAndWebhooksAsync(target, receiver);
                }

                var head0 = await HeadAsync(target);
                var started = Stopwatch.StartNew();
                await WarmUpAsync(target, BatchClients, BatchOnceAsync);
                var name = alerts
                    ? $"/api/batch with 20 alert rules and 2 webhooks ({BatchClients} clients, A/B round {round + 1})"
                    : $"/api/batch without alert rules or webhooks ({BatchClients} clients, A/B round {round + 1})";
                var result = await MeasureAsync(target, name, BatchClients, options.IngestDuration, BatchOnceAsync);
                results.Add(result);
                if (receiver is not null && Webhooks is null)
                {
                    // Every event since the endpoints were created, warm-up included, goes to both.
                    Webhooks = await MeasureDeliveryAsync(receiver, (await HeadAsync(target) - head0) * 2, started.Elapsed);
                }
            }
            finally
            {
                await target.DisposeAsync();
                data.Delete(recursive: true);
            }
        }

        return results;
    }

    private static async Task AddAlertsAndWebhooksAsync(Target target, WebhookReceiver receiver)
    {
        string[] rules =
        [
            """{"condition":"session_error"}""", """{"condition":"lease_expired"}""", """{"condition":"stalled","seconds":3600}""",
            """{"condition":"stalled","seconds":600,"labels":{"team":"red"}}""", """{"condition":"session_cost","threshold":1000}""",
            """{"condition":"session_tokens","threshold":1000000000}""", """{"condition":"active_count","threshold":100000}""",
            """{"condition":"active_count","threshold":5000,"labels":{"team":"blue"}}""",
            """{"condition":"burn_rate","metric":"cost","threshold":100000,"window_seconds":3600}""",
            """{"condition":"burn_rate","metric":"tokens","threshold":1000000000,"window_seconds":600}""",
            """{"condition":"error_count","threshold":1000,"window_seconds":300}""",
        ];
        for (var i = 0; i < 20; i++)
        {
            var rule = rules[i % rules.Length];
            var body = $$"""{"id":"bench-{{i}}","name":"bench rule {{i}}",""" + rule[1..];
            using var response = await target.Http.PostAsync("/api/alert-rules", new StringContent(body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        for (var i = 0; i < 2; i++)
        {
            var body = $$"""{"id":"bench-hook-{{i}}","url":"http://127.0.0.1:{{receiver.Port}}/hook{{i}}"}""";
            using var response = await target.Http.PostAsync("/api/webhooks", new StringContent(body, Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Waits until the receiver got every event since the endpoints were created (or 5 minutes pass).</summary>
    private async Task<WebhookDelivery> MeasureDeliveryAsync(WebhookReceiver receiver, long expected, TimeSpan running)
    {
        var clock = Stopwatch.StartNew();
        var duringIngest = receiver.Received;
        while (receiver.Received < expected && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
        }

        // Delivery started with the endpoints; the rate counts the whole span from their creation to the last event.
        var result = new WebhookDelivery(receiver.Received, expected, (running + clock.Elapsed).TotalSeconds, duringIngest);
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] webhooks: {result.Delivered:N0} of {expected:N0} deliveries in {result.Seconds:F1} s ({result.PerSecond:N0}/s); " +
            $"{result.DuringIngest:N0} while the ingest ran");
        return result;
    }
}
