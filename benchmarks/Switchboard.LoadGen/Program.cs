using System.Diagnostics;
using Switchboard.LoadGen;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Scenarios;
using Switchboard.LoadGen.Servers;

// One command runs everything and writes docs/benchmarks.md:
//   dotnet run -c Release --project benchmarks/Switchboard.LoadGen
var options = BenchOptions.Parse(args);

var paths = BenchPaths.Find();
// Handshakes block a pool thread for about a millisecond each, 128 at a time: start enough threads up front.
ThreadPool.SetMinThreads(256, 256);
var log = Console.Out;
var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var loadBefore = MachineInfo.LoadAverage();
log.WriteLine($"Switchboard benchmarks: {options.Connections:N0} connections, saturated at {options.SaturatedConnections:N0}; load average {loadBefore}");

if (options.Census)
{
    foreach (var system in options.Systems)
    {
        await new SystemRun(Targets.Create(system, options), options, log).CensusAsync(paths, options.Connections);
    }

    return 0;
}

var results = new List<ScenarioResult>();
foreach (var system in options.Systems)
{
    results.AddRange(await new SystemRun(Targets.Create(system, options), options, log).RunAsync(paths));
}

var ingestRun = new IngestRun(options, log);
var ingest = options.Ingest ? await ingestRun.RunAsync(paths) : [];
var micro = options.Micro ? await MicroRun.RunAsync(paths, log) : null;

var report = new MarkdownReport
{
    Options = options,
    Machine = MachineInfo.Capture(paths.Root),
    Started = started,
    Elapsed = clock.Elapsed,
    LoadBefore = loadBefore,
    LoadAfter = MachineInfo.LoadAverage(),
    Results = results,
    Ingest = ingest,
    Webhooks = ingestRun.Webhooks,
    Micro = micro,
};
var output = Path.Combine(paths.Root, options.Output);
report.WriteInto(output);
log.WriteLine($"Wrote {output} after {clock.Elapsed.TotalMinutes:F1} min.");
return results.All(r => r.Complete) ? 0 : 1;
