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
    Written(new ScaleOutReport(scaleOut, MachineInfo.Capture(paths.Root), options, DateTimeOffset.UtcNow, loadBefore, MachineInfo.LoadAverage()).WriteInto,
        "the scale-out section of", "");
    return scaleOut.Complete ? 0 : 1;
}

if (options.Otlp)
{
    var otlp = await new OtlpRun(options, log).RunAsync(paths);
    Written(new OtlpReport { Run = Run(), Results = otlp }.WriteInto, "the OTLP section of", "");
    return otlp.Passed ? 0 : 1;
}

if (options.Soak)
{
    var soak = await new SoakRun(options, log).RunAsync(paths);
    Written(new SoakReport { Run = Run(), Results = soak }.WriteInto, "the soak section of", " and its chart");
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

if (options.IngestReferences.Count > 0)
{
    return await new IngestBisect(options, log).RunAsync(paths) ? 0 : 1;
}

if (options.AbReference is not null)
{
    var ab = await new AbRun(options, log).RunAsync(paths);
    var abReport = new AbReport { Run = Run(), Results = ab };
    log.WriteLine(abReport.Render()); // the figures in the log too, wherever --output sends the section
    Written(abReport.WriteInto, "the A/B section of", "");
    return ab.Complete ? 0 : 1;
}

if (options.Commands)
{
    var commands = await new CommandRun(options, log).RunAsync(paths);
    Written(new CommandReport { Run = Run(), Results = commands }.WriteInto, "the commands section of", "");
    return commands.Socket.Complete && commands.LongPoll.Complete ? 0 : 1;
}

if (options.Usage)
{
    var usage = await new UsageRun(options, log).RunAsync(paths);
    Written(new UsageReport { Run = Run(), Results = usage }.WriteInto, "the usage section of", "");
    return usage.Ingest.All(r => r.Acknowledged == r.Persisted) ? 0 : 1;
}

if (options.Mcp)
{
    // Printed, not written into docs/benchmarks.md: the MCP section there is written by hand from this output.
    var mcp = await new McpRun(options, log).RunAsync(paths);
    log.WriteLine($"MCP run done in {clock.Elapsed.TotalSeconds:F0} s; load average {loadBefore} before, {mcp.LoadAverage} after");
    return mcp.Mcp.Missed == 0 && mcp.Socket.Missed == 0 ? 0 : 1;
}

if (options.Hooks)
{
    var hooks = await new HookRun(options, log).RunAsync(paths);
    Written(new HookReport { Run = Run(), Results = hooks }.WriteInto, "the hooks section of", "");
    return hooks.Complete ? 0 : 1;
}

if (options.Peer)
{
    var peer = await new PeerRun(options, log).RunAsync(paths);
    Written(new PeerReport { Run = Run(), Results = peer }.WriteInto, "the peer section of", "");
    return peer.Complete ? 0 : 1;
}

if (options.Idle)
{
    var idle = await new IdleRun(options, log).RunAsync(paths);
    Written(new IdleReport { Run = Run(), Results = idle }.WriteInto, "the idle section of", "");
    return 0;
}

if (options.Approvals)
{
    var approvals = await new ApprovalRun(options, log).RunAsync(paths);
    Written(new ApprovalReport { Run = Run(), Results = approvals }.WriteInto, "the approvals section of", "");
    return approvals.Complete ? 0 : 1;
}

if (options.Streams)
{
    var streams = await new StreamRun(options, log).RunAsync(paths);
    Written(new StreamReport { Run = Run(), Results = streams }.WriteInto, "the Durable Streams section of", "");
    return streams.Complete ? 0 : 1;
}

if (options.Trees)
{
    var trees = await new TreeRun(options, log).RunAsync(paths);
    Written(new TreeReport { Run = Run(), Results = trees }.WriteInto, "the trees section of", "");
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
    Run = Run(),
    Results = results,
    Ingest = ingest,
    Webhooks = ingestRun.Webhooks,
    Micro = micro,
};
Written(report.WriteInto, "", "");
return results.All(r => r.Complete) ? 0 : 1;

// What the run was, for the head of its section: the load average and the time taken as of now.
RunInfo Run() => new(options, MachineInfo.Capture(paths.Root), started, clock.Elapsed, loadBefore, MachineInfo.LoadAverage());

// Writes a report's section into the output (--quick points it at artifacts/) and says so.
void Written(Action<string> writeInto, string what, string extra)
{
    var output = Path.Combine(paths.Root, options.Output);
    writeInto(output);
    log.WriteLine($"Wrote {what}{(what.Length > 0 ? " " : "")}{output}{extra} after {clock.Elapsed.TotalMinutes:F1} min.");
}
