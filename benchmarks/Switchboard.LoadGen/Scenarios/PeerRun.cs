using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Switchboard against the one-file peer (<c>--peer</c>, issue 59): the hook run's load (<see cref="HookLoad.Everyday"/>
/// unless the hook options say otherwise) on each, a fresh server and data directory every time, for
/// <see cref="BenchOptions.PeerRounds"/> rounds whose order alternates, so neither always runs on the cooler machine.
/// </summary>
internal sealed class PeerRun(BenchOptions options, TextWriter log)
{
    public async Task<PeerResults> RunAsync(BenchPaths paths)
    {
        var load = HookLoad.From(options, HookLoad.Everyday);
        var hooks = new HookRun(options, log);
        var switchboard = new List<HookResults>();
        var peer = new List<HookResults>();
        for (var round = 0; round < options.PeerRounds; round++)
        {
            foreach (var isPeer in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                log.WriteLine($"[{DateTime.Now:HH:mm:ss}] peer: round {round + 1} of {options.PeerRounds}, {(isPeer ? "the peer" : "Switchboard")}");
                Target target = isPeer ? new PeerTarget() : new SwitchboardTarget(options.SwitchboardEnvironment, options.SwitchboardDll);
                (isPeer ? peer : switchboard).Add(await hooks.MeasureAsync(paths, target, load));
            }
        }

        return new PeerResults(load, switchboard, peer);
    }
}

/// <summary>Each server's hook runs, one per round.</summary>
internal sealed record PeerResults(HookLoad Workload, IReadOnlyList<HookResults> Switchboard, IReadOnlyList<HookResults> Peer)
{
    public bool Complete => Switchboard.Concat(Peer).All(r => r.Complete);

    /// <summary>The median over <paramref name="runs"/> of <paramref name="metric"/>.</summary>
    public static double Median(IReadOnlyList<HookResults> runs, Func<HookResults, double> metric) => AbResults.Median(runs.Select(metric));
}
