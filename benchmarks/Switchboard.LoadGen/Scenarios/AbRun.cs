using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Before against after in one run (<c>--ab REF</c>): the server built at REF and the current build, each on a fresh
/// server per round, in alternating order so that drift in the machine's load falls on both alike. Each round runs
/// the fixed 1 msg/s scenario, the saturated scenario and the batch ingest on both; a third arm runs the current
/// build's saturated scenario again while <c>/metrics</c> is scraped 10 times a second.
/// </summary>
internal sealed class AbRun(BenchOptions options, TextWriter log)
{
    public const int ScrapesPerSecond = 10;

    public async Task<AbResults> RunAsync(BenchPaths paths)
    {
        var (commit, baselineDll) = await BaselineBuild.EnsureAsync(paths.Root, options.AbReference!, log);
        var before = $"before ({commit[..7]})";
        const string after = "after";
        var storm = $"after, {ScrapesPerSecond} scrapes/s";
        var fanout = new List<(int Round, ScenarioResult Result)>();
        var ingest = new List<(int Round, string Arm, IngestResult Result)>();
        var ingestRun = new IngestRun(options, log);
        for (var round = 0; round < options.AbRounds; round++)
        {
            var arms = new List<(string Name, string? Dll, int Scrapes, string[] Scenarios)>
            {
                (before, baselineDll, 0, ["fixed", "saturated"]),
                (after, null, 0, ["fixed", "saturated"]),
                (storm, null, ScrapesPerSecond, ["saturated"]),
            };
            if (round % 2 == 1)
            {
                arms.Reverse();
            }

            foreach (var (name, dll, scrapes, scenarios) in arms)
            {
                log.WriteLine($"[{DateTime.Now:HH:mm:ss}] A/B round {round + 1}: {name}");
                options.Scenarios = scenarios;
                var target = new SwitchboardTarget(options.SwitchboardEnvironment, dll, name, scrapes);
                fanout.AddRange((await new SystemRun(target, options, log).RunAsync(paths)).Select(r => (round, r)));
                if (scrapes == 0)
                {
                    ingest.Add((round, name, await ingestRun.MeasureBatchAsync(paths, new SwitchboardTarget(options.SwitchboardEnvironment, dll, name))));
                }
            }
        }

        return new AbResults(before, after, storm, fanout, ingest);
    }
}

/// <summary>Every round's results of an A/B run, by arm.</summary>
internal sealed record AbResults(
    string Before,
    string After,
    string Storm,
    IReadOnlyList<(int Round, ScenarioResult Result)> Fanout,
    IReadOnlyList<(int Round, string Arm, IngestResult Result)> Ingest)
{
    public bool Complete => Fanout.All(r => r.Result.Complete) && Ingest.All(r => r.Result.Acknowledged == r.Result.Persisted);
}
