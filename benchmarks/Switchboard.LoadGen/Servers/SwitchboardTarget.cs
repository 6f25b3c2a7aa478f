using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// The real <c>switchboard</c> executable with default settings on a fresh data directory. Each publish is a
/// PATCH of one session's metadata, so it is validated, committed to SQLite and fanned out as one
/// <c>session_updated</c> event (about 220 bytes of envelope) on <c>sessions</c> and <c>session:{id}</c>.
/// The per-client write rate limit (5,000/s by default, a guard against a runaway producer) is switched off, because
/// the SignalR baseline has none and the benchmark measures the engine; <c>--switchboard-env</c> can set it back.
/// An A/B run (<c>--ab</c>) starts another build (<paramref name="dll"/>) under another name, and may scrape
/// <c>/metrics</c> during the saturated scenario (<paramref name="scrapesPerSecond"/>).
/// </summary>
internal sealed class SwitchboardTarget(
    IDictionary<string, string>? environment = null,
    string? dll = null,
    string name = "Switchboard",
    int scrapesPerSecond = 0) : Target
{
    public override string Name => name;

    public override int ScrapesPerSecond => scrapesPerSecond;

    public override SubscriberProtocol CreateProtocol() => new PhoenixProtocol();

    public override string SessionTopic(string sessionId) => "session:" + sessionId;

    public override async Task PrepareSessionsAsync(IEnumerable<string> sessionIds)
    {
        foreach (var id in sessionIds)
        {
            using var response = await Http.SendAsync(JsonRequest(HttpMethod.Post, "/api/sessions",
                $$"""{"id":"{{id}}","name":"load generator","state":"working"}"""));
            response.EnsureSuccessStatusCode();
        }
    }

    public override HttpRequestMessage Publish(long marker, string sessionId) =>
        JsonRequest(HttpMethod.Patch, "/api/sessions/" + sessionId,
            string.Create(CultureInfo.InvariantCulture, $$$"""{"metadata":{"bx":{{{marker}}}}}"""));

    public override HttpRequestMessage PublishTick(IReadOnlyList<(long Marker, string SessionId)> events)
    {
        var body = new StringBuilder("""{"operations":[""");
        for (var i = 0; i < events.Count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $$$"""{"op":"update","id":"{{{events[i].SessionId}}}","metadata":{"bx":{{{events[i].Marker}}}}}""");
        }

        return JsonRequest(HttpMethod.Post, "/api/batch", body.Append("]}").ToString());
    }

    public override async Task<(long Deliveries, long Writes)?> ReadWriteCountersAsync()
    {
        long deliveries = 0, writes = 0;
        foreach (var line in (await Http.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.StartsWith("switchboard_deliveries_total ", StringComparison.Ordinal))
            {
                deliveries = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("switchboard_socket_writes_total ", StringComparison.Ordinal))
            {
                writes = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            }
        }

        return (deliveries, writes);
    }

    /// <summary>Where an event's time went on the server, from <c>/metrics</c>: sums and counts to diff over a scenario.</summary>
    public override async Task<IReadOnlyDictionary<string, double>> ReadLatencyCountersAsync()
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in (await Http.GetStringAsync("/metrics")).Split('\n'))
        {
            foreach (var name in new[] { "switchboard_fanout_duration_seconds_sum", "switchboard_fanout_duration_seconds_count", "switchboard_fanout_pauses_total",
                         "switchboard_http_write_duration_seconds_sum", "switchboard_http_write_duration_seconds_count" })
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && line.LastIndexOf(' ') is var space and > 0
                    && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    sums[name] = sums.GetValueOrDefault(name) + value;
                }
            }
        }

        return sums;
    }

    public override async Task<string> DescribeMemoryAsync()
    {
        var lines = (await Http.GetStringAsync("/metrics")).Split('\n')
            .Where(l => l.StartsWith("dotnet_gc_last_collection", StringComparison.Ordinal) || l.StartsWith("dotnet_gc_collections", StringComparison.Ordinal));
        return string.Join("; ", lines.Select(l => l.Replace("dotnet_gc_last_collection_", "", StringComparison.Ordinal)));
    }

    protected override Task<ChildServer> StartServerAsync(BenchPaths paths, string dataDirectory)
    {
        var env = new Dictionary<string, string> { ["Switchboard__Http__WriteRateLimit"] = "0" };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return ChildServer.StartAsync(dll ?? paths.SwitchboardDll, ["--data-dir", dataDirectory], env);
    }
}
