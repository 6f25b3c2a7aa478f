using System.Diagnostics;

namespace Switchboard.Testing;

public sealed partial class PostgresCluster
{
    /// <summary>Clusters not yet disposed; stopped at process exit so an aborted test run leaves no server behind.</summary>
    private static readonly HashSet<PostgresCluster> RunningSet = [];

    static PostgresCluster() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopLeftovers();

    private static bool RunsAsRoot => Environment.IsPrivilegedProcess;

    /// <summary>
    /// The directory holding initdb and pg_ctl: <c>SWITCHBOARD_PG_BIN</c> if set, else the newest
    /// <c>/usr/lib/postgresql/*/bin</c> (Debian and Ubuntu), else the directory of <c>pg_ctl</c> on PATH.
    /// </summary>
    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_PG_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"SWITCHBOARD_PG_BIN is '{configured}', but it holds no initdb.");
        }

        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.EnumerateDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException(
            "These tests need a real PostgreSQL server, but none is installed: no initdb/pg_ctl under /usr/lib/postgresql/*/bin " +
            "or on PATH. Install it (Debian/Ubuntu: apt-get install postgresql; .ci/run does this) or point SWITCHBOARD_PG_BIN at its bin directory.");
    }

    private static void StopLeftovers()
    {
        PostgresCluster[] left;
        lock (RunningSet)
        {
            left = [.. RunningSet];
        }

        foreach (var cluster in left.Where(c => c._running))
        {
            // Synchronous on purpose: ProcessExit handlers cannot await. Stops only the clusters this process started.
            var pgCtl = Path.Combine(cluster._bin, "pg_ctl");
            var start = RunsAsRoot ? new ProcessStartInfo("runuser") : new ProcessStartInfo(pgCtl);
            if (RunsAsRoot)
            {
                foreach (var a in new[] { "-u", OsUser, "--", pgCtl })
                {
                    start.ArgumentList.Add(a);
                }
            }

            foreach (var a in new[] { "stop", "-D", cluster.DataDirectory, "-m", "immediate", "-w" })
            {
                start.ArgumentList.Add(a);
            }

            start.RedirectStandardOutput = start.RedirectStandardError = true;
            using var process = Process.Start(start);
            process?.WaitForExit(10_000);
        }
    }

    private static void Track(PostgresCluster cluster)
    {
        lock (RunningSet)
        {
            RunningSet.Add(cluster);
        }
    }

    private static void Untrack(PostgresCluster cluster)
    {
        lock (RunningSet)
        {
            RunningSet.Remove(cluster);
        }
    }
}
