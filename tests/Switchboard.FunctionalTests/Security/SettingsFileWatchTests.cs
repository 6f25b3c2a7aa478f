using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Security;

/// <summary>
/// The executable notices a saved appsettings.json by polling the file (the keys rotate: <see cref="KeyRotationTests"/>),
/// not by the host's default file watcher: that one watches the content root recursively, the SQLite database included,
/// and every WAL write woke it. On Linux a watcher is inotify watches on the process's descriptors; there must be none,
/// with OTLP/gRPC's own listener on as it is by default (its host once added the watcher back).
/// </summary>
public sealed class SettingsFileWatchTests
{
    [Fact]
    public async Task TheServerWatchesNoDirectoryWhileItsDatabaseIsWrittenUnderItsContentRoot()
    {
        using var root = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(root.Path, "appsettings.json"), """{"Switchboard":{}}""", TestContext.Current.CancellationToken);
        await using var server = await ServerProcess.StartAsync(Path.Combine(root.Path, "data"), ["--contentRoot", root.Path],
            new Dictionary<string, string> { ["Switchboard__Otlp__GrpcUrls"] = "http://127.0.0.1:0" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var created = await http.PostAsync("/api/sessions", new StringContent("""{"name":"watched"}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        created.EnsureSuccessStatusCode();
        server.Output.ShouldContain("OTLP/gRPC listening on", customMessage: "the gRPC listener runs, as by default");

        InotifyWatches(server.Pid).ShouldBe(0, "no FileSystemWatcher: the settings file is polled");
    }

    /// <summary>The inotify watches the process holds: one <c>inotify wd:</c> line per watched directory in its descriptors' fdinfo.</summary>
    private static int InotifyWatches(int pid)
    {
        var watches = 0;
        foreach (var info in Directory.EnumerateFiles($"/proc/{pid}/fdinfo"))
        {
            try
            {
                watches += File.ReadLines(info).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // A descriptor closed between the listing and the read holds no watch.
            }
        }

        return watches;
    }
}
