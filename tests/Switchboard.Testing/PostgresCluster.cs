using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace Switchboard.Testing;

/// <summary>
/// A real, throwaway PostgreSQL cluster: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free
/// loopback port, <c>pg_ctl stop</c> and delete on dispose. PostgreSQL refuses to run as root, so when the tests run
/// as root every PostgreSQL program runs as the unprivileged <c>postgres</c> user through <c>runuser</c>.
/// A missing installation fails loudly; tests never skip.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private const string OsUser = "postgres";

    private readonly string _bin;
    private readonly string _root;
    private NpgsqlDataSource? _admin;
    private bool _running;

    private PostgresCluster(string bin, string root, int port)
    {
        _bin = bin;
        _root = root;
        Port = port;
    }

    /// <summary>The loopback port the cluster listens on; it stays the same across <see cref="StopAsync"/>/<see cref="StartAgainAsync"/>.</summary>
    public int Port { get; private set; }

    public string DataDirectory => Path.Combine(_root, "data");

    public string LogFile => Path.Combine(_root, "postgres.log");

    /// <summary>Creates and starts a cluster. Throws with a clear message when PostgreSQL is not installed.</summary>
    public static async Task<PostgresCluster> StartAsync()
    {
        var bin = FindBinaries();
        // As root, the cluster runs as the postgres user, who must be able to reach the folder: /tmp is world-traversable, $TMPDIR may not be.
        var root = Path.Combine(RunsAsRoot ? "/tmp" : Path.GetTempPath(), $"switchboard-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var cluster = new PostgresCluster(bin, root, 0);
        try
        {
            if (RunsAsRoot)
            {
                await RunAsync("chown", [$"{OsUser}:{OsUser}", root]);
            }

            await cluster.RunPostgresToolAsync("initdb",
                ["-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"]);

            // A port that was free a moment ago may be taken by the time postgres binds it: try a few.
            for (var attempt = 1; ; attempt++)
            {
                cluster.Port = FreePort.Next();
                try
                {
                    await cluster.StartAgainAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                }
            }

            Track(cluster);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for <paramref name="database"/> as the superuser (trust authentication on loopback).</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\";");
        return ConnectionString(name);
    }

    /// <summary>Runs SQL as the superuser; in the maintenance database unless <paramref name="database"/> says otherwise.</summary>
    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().WaitAsync(TestTimeouts.Default);
    }

    /// <summary>Runs a query as the superuser and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync().WaitAsync(TestTimeouts.Default))!;
    }

    /// <summary>A fast shutdown (<c>pg_ctl stop -m fast</c>): clients are disconnected, committed data is kept.</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            _admin?.Clear();
            await RunPostgresToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"]);
        }
    }

    /// <summary>Starts the cluster (again) on <see cref="Port"/>.</summary>
    public async Task StartAgainAsync()
    {
        var settings = string.Join(' ',
            $"-p {Port.ToString(CultureInfo.InvariantCulture)}",
            "-c listen_addresses=127.0.0.1",
            // TCP only: no Unix socket, whose path length and directory rights would depend on the temp folder.
            "-c unix_socket_directories=''",
            // Throwaway data: skip fsync. Commits still reach the OS before they are acknowledged, so killing
            // or restarting PostgreSQL (but not the machine) loses nothing.
            "-c fsync=off",
            "-c full_page_writes=off",
            "-c max_connections=300");
        try
        {
            await RunPostgresToolAsync("pg_ctl", ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", settings]);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(ex.Message + "\nServer log:\n" + ReadLog(), ex);
        }

        _running = true;
    }

    public string ReadLog()
    {
        try
        {
            return File.ReadAllText(LogFile);
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Untrack(this);
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_running)
        {
            _running = false;
            try
            {
                await RunPostgresToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "60"]);
            }
            catch (InvalidOperationException)
            {
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(string database)
    {
        if (database == "postgres")
        {
            _admin ??= NpgsqlDataSource.Create(ConnectionString());
            return await _admin.OpenConnectionAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync().WaitAsync(TestTimeouts.Default);
        return connection;
    }

    private Task RunPostgresToolAsync(string tool, string[] args)
    {
        var path = Path.Combine(_bin, tool);
        return RunsAsRoot ? RunAsync("runuser", ["-u", OsUser, "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RunsAsRoot ? "/tmp" : Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not run {file}: {ex.Message}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{output}");
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
