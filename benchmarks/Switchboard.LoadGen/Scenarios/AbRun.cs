using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Before against after in one run (<c>--ab REF</c>): the server built at REF and the current build, each measurement
/// on a fresh server (on PostgreSQL also a fresh database), the two builds back to back and their order reversed every
/// other round, so that drift in the machine's load falls on both alike and each round's ratio compares neighbours.
/// The arms (<see cref="AbArm"/>, <c>--arms</c>) are the fan-out scenarios (1 msg/s at 10,000 subscribers and
/// saturated at 1,000, on one server), the current build's saturated scenario under 10 <c>/metrics</c> scrapes/s, the
/// <c>/api/batch</c> ingest and OTLP with 1,000 subscribers, on SQLite and on PostgreSQL.
/// </summary>
internal sealed class AbRun(BenchOptions options, TextWriter log)
{
    public const int ScrapesPerSecond = 10;

    public async Task<AbResults> RunAsync(BenchPaths paths)
    {
        var (commit, baselineDll) = await BaselineBuild.EnsureAsync(paths.Root, options.AbReference!, log);
        var before = new Build($"before ({commit[..7]})", baselineDll, 0);
        var after = new Build("after", null, 0);
        var storm = new Build($"after, {ScrapesPerSecond} scrapes/s", null, ScrapesPerSecond);

        // Neither the idle memory figures nor a server still compiling belong in a comparison of two builds.
        options.MeasureIdle = false;
        options.SaturatedWarmupUntilTiered = true;
        await using var stores = new AbStores(options, log);
        var samples = new List<AbSample>();
        var loads = new List<string>();
        log.WriteLine($"A/B against {commit[..7]}: {options.AbRounds} rounds of {string.Join(", ", options.AbArms)}");
        for (var round = 0; round < options.AbRounds; round++)
        {
            loads.Add(MachineInfo.LoadAverage());
            foreach (var store in options.AbArms.Select(a => a.Store).Distinct())
            {
                bool Has(AbMeasure measure) => options.AbArms.Contains(new AbArm(store, measure));
                string[] fanout = [.. new[] { (AbMeasure.Fixed, "fixed"), (AbMeasure.Saturated, "saturated") }.Where(m => Has(m.Item1)).Select(m => m.Item2)];
                var fanoutBuilds = new List<Build>();
                if (fanout.Length > 0)
                {
                    fanoutBuilds.AddRange([before, after]);
                }

                if (Has(AbMeasure.Scrapes))
                {
                    fanoutBuilds.Add(storm);
                }

                foreach (var build in InOrder(fanoutBuilds, round))
                {
                    Log(round, store, build, build == storm ? "saturated" : string.Join(" and ", fanout));
                    samples.AddRange(await stores.WithAsync(store, env => FanoutAsync(paths, env, build, build == storm ? ["saturated"] : fanout, round, store)));
                }

                foreach (var build in Has(AbMeasure.Ingest) ? InOrder([before, after], round) : [])
                {
                    Log(round, store, build, "ingest");
                    samples.AddRange(await stores.WithAsync(store, env => IngestAsync(paths, env, build, round, store)));
                }

                foreach (var build in Has(AbMeasure.Otlp) ? InOrder([before, after], round) : [])
                {
                    Log(round, store, build, "OTLP");
                    samples.AddRange(await stores.WithAsync(store, env => OtlpAsync(paths, env, build, round, store)));
                }

                foreach (var build in Has(AbMeasure.Hooks) ? InOrder([before, after], round) : [])
                {
                    Log(round, store, build, "hooks");
                    samples.AddRange(await stores.WithAsync(store, env => HooksAsync(paths, env, build, round, store)));
                }
            }
        }

        return new AbResults(before.Name, after.Name, storm.Name, samples, loads, stores.PostgresVersion);
    }

    /// <summary>The builds in the round's order: as given in even rounds, reversed in odd ones.</summary>
    private static IEnumerable<Build> InOrder(List<Build> builds, int round) => round % 2 == 0 ? builds : Enumerable.Reverse(builds);

    private async Task<IEnumerable<AbSample>> FanoutAsync(BenchPaths paths, Dictionary<string, string> env, Build build, string[] scenarios, int round, AbStore store)
    {
        options.Scenarios = scenarios;
        var results = await new SystemRun(new SwitchboardTarget(env, build.Dll, build.Name, build.Scrapes), options, log).RunAsync(paths);
        var samples = new List<AbSample>();
        foreach (var r in results)
        {
            AbSample Sample(AbMetric metric, double value) => new(round, store, build.Name, metric, value, r.Complete);
            if (r.Scenario == "saturated")
            {
                samples.Add(Sample(AbMetric.SaturatedDeliveries, r.DeliveriesPerSecond));
                samples.Add(Sample(AbMetric.CpuPerDelivery, r.CpuMicrosPerDelivery));
            }
            else if (r.Scenario == "fixed 1 msg/s")
            {
                samples.Add(Sample(AbMetric.SlowP99, r.LastSubscriber is { } last ? last.P99 / 1000.0 : double.NaN));
            }
        }

        return samples;
    }

    private async Task<IEnumerable<AbSample>> IngestAsync(BenchPaths paths, Dictionary<string, string> env, Build build, int round, AbStore store)
    {
        var r = await new IngestRun(options, log).MeasureBatchAsync(paths, new SwitchboardTarget(env, build.Dll, build.Name));
        var complete = r.Acknowledged == r.Persisted;
        return [new(round, store, build.Name, AbMetric.IngestRate, r.PerSecond, complete), new(round, store, build.Name, AbMetric.CpuPerUpdate, r.CpuMicrosPerUpdate, complete)];
    }

    private async Task<IEnumerable<AbSample>> OtlpAsync(BenchPaths paths, Dictionary<string, string> env, Build build, int round, AbStore store)
    {
        var p = await new OtlpRun(options, log).MeasureWatchedAsync(paths, new SwitchboardTarget(OtlpRun.ServerEnvironment(env), build.Dll, build.Name));
        var complete = p.Coalesced && p.DeliveredToAll;
        return [new(round, store, build.Name, AbMetric.OtlpRate, p.SpansPerSecond, complete), new(round, store, build.Name, AbMetric.CpuPerSpan, p.CpuMicrosPerSpan, complete)];
    }

    private async Task<IEnumerable<AbSample>> HooksAsync(BenchPaths paths, Dictionary<string, string> env, Build build, int round, AbStore store)
    {
        var h = await new HookRun(options, log).MeasureAsync(paths, new SwitchboardTarget(env, build.Dll, build.Name), HookLoad.From(options, HookLoad.Everyday));
        return
        [
            new(round, store, build.Name, AbMetric.CpuPerHook, h.CpuMicrosPerHook, h.Complete),
            new(round, store, build.Name, AbMetric.HookP99, h.Latencies.Percentile(0.99) / 1000.0, h.Complete),
            new(round, store, build.Name, AbMetric.HookDeliveryP99, h.Deliveries.Percentile(0.99) / 1000.0, h.Complete),
        ];
    }

    private void Log(int round, AbStore store, Build build, string what) =>
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] A/B round {round + 1}, {store}: {build.Name}, {what} (load {MachineInfo.LoadAverage()})");

    /// <summary>A build under test: the baseline's <c>switchboard.dll</c>, or null for the current build.</summary>
    private sealed record Build(string Name, string? Dll, int Scrapes);
}
