using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Only the <c>/api/batch</c> ingest, on the server built at each of several commits and on the current build
/// (<c>--ingest-at REF,REF…</c>): rounds in rotating order, so drift in the machine's load falls on every arm alike.
/// For finding which commit moved the ingest; it writes no report, only the log and its summary.
/// </summary>
internal sealed class IngestBisect(BenchOptions options, TextWriter log)
{
    public async Task<bool> RunAsync(BenchPaths paths)
    {
        var arms = new List<(string Name, string? Dll)>();
        foreach (var reference in options.IngestReferences)
        {
            var (commit, dll) = await BaselineBuild.EnsureAsync(paths.Root, reference, log);
            arms.Add(($"{reference} ({commit[..7]})", dll));
        }

        arms.Add(("current build", null));
        var results = arms.ToDictionary(a => a.Name, _ => new List<IngestResult>());
        var ingest = new IngestRun(options, log);
        for (var round = 0; round < options.AbRounds; round++)
        {
            for (var i = 0; i < arms.Count; i++)
            {
                var (name, dll) = arms[(i + round) % arms.Count];
                results[name].Add(await ingest.MeasureBatchAsync(paths, new SwitchboardTarget(options.SwitchboardEnvironment, dll, name)));
            }
        }

        log.WriteLine($"ingest by commit ({options.AbRounds} rounds; median updates/s, median CPU µs/update):");
        foreach (var (name, _) in arms)
        {
            var runs = results[name];
            log.WriteLine($"  {name,-40} {Median(runs.Select(r => r.PerSecond)),10:N0} /s {Median(runs.Select(r => r.CpuMicrosPerUpdate)),8:F1} µs" +
                $"   [{string.Join(", ", runs.Select(r => r.PerSecond.ToString("N0")))}]");
        }

        return results.Values.SelectMany(r => r).All(r => r.Acknowledged == r.Persisted);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}
