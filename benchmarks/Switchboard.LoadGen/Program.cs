using System.Diagnostics;
using Switchboard.LoadGen;
using Switchboard.LoadGen.Report;
using Switchboard.LoadGen.Scenarios;
using Switchboard.LoadGen.Servers;
using Switchboard.LoadGen.Soak;

// One command runs everything and writes docs/benchmarks.md:
//   dotnet run -c Release --project benchmarks/Switchboard.LoadGen
// Handshakes block a pool thread for about a millisecond each, 128 at a time: start enough threads up front.
ThreadPool.SetMinThreads(256, 256);
if (args.Length > 0 && args[0] == ScaleOutWorker.Mode)
{
    return await ScaleOutWorker.RunAsync(args); // one subscriber process of a scale-out run
}

var options = BenchOptions.Parse(args);
var paths = BenchPaths.Find();
var log = Console.Out;
var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var loadBefore = MachineInfo.LoadAverage();
log.WriteLine($"Switchboard benchmarks: {options.Connections:N0} connections, saturated at {options.SaturatedConnections:N0}; load average {loadBefore}");

if (options.ScaleOut)
{
    var scaleOut = await new ScaleOutRun(options, log).RunAsync(paths);
    var target = Path.Combine(paths.Root, options.Output); // --quick points it at artifacts/
    new ScaleOutReport(scaleOut, MachineInfo.Capture(paths.Root), options, DateTimeOffset.UtcNow, loadBefore, MachineInfo.LoadAverage()).WriteInto(target);
    log.WriteLine($"Wrote the scale-out section of {target} after {clock.Elapsed.TotalMinutes:F1} min.");
    return scaleOut.Complete ? 0 : 1;
}

if (options.Otlp)
{
    var otlp = await new OtlpRun(options, log).RunAsync(paths);
    var otlpOutput = Path.Combine(paths.Root, options.Output);
    new OtlpReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = otlp,
    }.WriteInto(otlpOutput);
    log.WriteLine($"Wrote the OTLP section of {otlpOutput} after {clock.Elapsed.TotalMinutes:F1} min.");
    return otlp.Passed ? 0 : 1;
}

if (options.Soak)
{
    var soak = await new SoakRun(options, log).RunAsync(paths);
    var soakReport = new SoakReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = soak,
    };
    var soakOutput = Path.Combine(paths.Root, options.Output);
    soakReport.WriteInto(soakOutput);
    log.WriteLine($"Wrote the soak section of {soakOutput} and its chart after {clock.Elapsed.TotalMinutes:F1} min.");
    return soak.Passed ? 0 : 1;
}

if (options.Census)
{
    foreach (var system in options.Systems)
    {
        await new SystemRun(Targets.Create(system, options), options, log).CensusAsync(paths, options.Connections);
    }

    return 0;
}

if (options.AbReference is not null)
{
    var ab = await new AbRun(options, log).RunAsync(paths);
    var abReport = new AbReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = ab,
    };
    var abOutput = Path.Combine(paths.Root, options.Output);
    abReport.WriteInto(abOutput);
    log.WriteLine($"Wrote the A/B section of {abOutput} after {clock.Elapsed.TotalMinutes:F1} min.");
    return ab.Complete ? 0 : 1;
}

if (options.Commands)
{
    var commands = await new CommandRun(options, log).RunAsync(paths);
    var commandReport = new CommandReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = commands,
    };
    var commandOutput = Path.Combine(paths.Root, options.Output);
    commandReport.WriteInto(commandOutput);
    log.WriteLine($"Wrote the commands section of {commandOutput} after {clock.Elapsed.TotalMinutes:F1} min.");
    return commands.Socket.Complete && commands.LongPoll.Complete ? 0 : 1;
}

if (options.Usage)
{
    var usage = await new UsageRun(options, log).RunAsync(paths);
    var usageReport = new UsageReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = usage,
    };
    var usageOutput = Path.Combine(paths.Root, options.Output);
    usageReport.WriteInto(usageOutput);
    log.WriteLine($"Wrote {usageOutput} after {clock.Elapsed.TotalMinutes:F1} min.");
    return usage.Ingest.All(r => r.Acknowledged == r.Persisted) ? 0 : 1;
}

if (options.Trees)
{
    var trees = await new TreeRun(options, log).RunAsync(paths);
    var treeReport = new TreeReport
    {
        Options = options,
        Machine = MachineInfo.Capture(paths.Root),
        Started = started,
        Elapsed = clock.Elapsed,
        LoadBefore = loadBefore,
        LoadAfter = MachineInfo.LoadAverage(),
        Results = trees,
    };
    var treeOutput = Path.Combine(paths.Root, options.Output);
    treeReport.WriteInto(treeOutput);
    log.WriteLine($"Wrote the trees section of {treeOutput} after {clock.Elapsed.TotalMinutes:F1} min.");
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
