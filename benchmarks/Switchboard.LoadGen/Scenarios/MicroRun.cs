using System.Diagnostics;
using System.Globalization;
using Switchboard.LoadGen.Report;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Runs the BenchmarkDotNet broadcast microbenchmark (benchmarks/Switchboard.Benchmarks, short job, in-process) as a
/// child process and takes its GitHub-markdown table; allocations per broadcast must be the same for every N.
/// </summary>
internal static class MicroRun
{
    public const string Command = "dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*' --job short";

    public static async Task<MicroResult?> RunAsync(BenchPaths paths, TextWriter log)
    {
        var artifacts = Directory.CreateTempSubdirectory("switchboard-bdn-");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = artifacts.FullName,
            };
            foreach (var arg in new[] { paths.BenchmarksDll, "--filter", "*", "--job", "short", "--artifacts", artifacts.FullName })
            {
                start.ArgumentList.Add(arg);
            }

            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] microbenchmark: {Command}");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            var report = Directory.EnumerateFiles(artifacts.FullName, "*BroadcastBenchmark-report-github.md", SearchOption.AllDirectories).FirstOrDefault();
            if (process.ExitCode != 0 || report is null)
            {
                log.WriteLine($"microbenchmark failed (exit {process.ExitCode}):\n{await output}\n{await errors}");
                return null;
            }

            var table = string.Join('\n', File.ReadLines(report).Where(l => l.StartsWith('|')));
            var allocated = ParseColumn(table, "Allocated");
            var flat = allocated.Count > 0 && allocated.Max() - allocated.Min() <= 64;
            var summary = string.Join(" / ", allocated.Select(b => b.ToString("N0", CultureInfo.InvariantCulture) + " B")) + " for N = 1 / 100 / 10,000";
            log.WriteLine($"[{DateTime.Now:HH:mm:ss}] microbenchmark: allocated {summary}");
            return new MicroResult(Command, table, flat, summary);
        }
        finally
        {
            artifacts.Delete(recursive: true);
        }
    }

    /// <summary>Byte counts of a column like "776 B" or "1.2 KB" in a markdown table.</summary>
    private static List<double> ParseColumn(string table, string column)
    {
        // BenchmarkDotNet's GitHub table may bold cells (**776 B**).
        var rows = table.Split('\n').Select(r => r.Trim('|').Split('|').Select(c => c.Trim().Trim('*')).ToArray()).ToList();
        var index = Array.IndexOf(rows[0], column);
        if (index < 0)
        {
            return [];
        }

        var values = new List<double>();
        foreach (var row in rows.Skip(2))
        {
            var parts = row[index].Split(' ');
            var number = double.Parse(parts[0], NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            values.Add(parts.Length > 1 && parts[1] == "KB" ? number * 1024 : parts.Length > 1 && parts[1] == "MB" ? number * 1048576 : number);
        }

        return values;
    }
}
