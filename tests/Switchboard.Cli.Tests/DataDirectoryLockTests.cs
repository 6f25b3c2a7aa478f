using System.Net;
using System.Net.Http.Json;
using Switchboard.Storage.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// A data directory has one owner. Two servers on one directory both used to start; whichever wrote second answered 503
/// to every write, forever. Now the second is refused with one line naming the holder, and the first keeps serving.
/// </summary>
public sealed class DataDirectoryLockTests
{
    [Fact]
    public async Task ASecondServerOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsServing()
    {
        using var data = new TempDirectory();
        await using var first = await ServerProcess.StartAsync(data.Path);
        using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TestTimeouts.Default };
        (await http.PostAsJsonAsync("/api/sessions", new { id = "before" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var holder = first.BaseAddress.ToString().TrimEnd('/');
        // The holder records its address once Kestrel has bound, just after "Now listening".
        await TestTimeouts.Eventually(() => Task.FromResult(File.ReadAllText(Path.Combine(data.Path, DataDirectoryLock.HolderFileName)).Contains(holder, StringComparison.Ordinal)),
            "the holder's address in the lock file");

        var line = await Cli.FailsWithOneLineAsync(1, null, "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        line.ShouldStartWith($"switchboard: the data directory {Path.GetFullPath(data.Path)} is in use by another switchboard (pid {first.Pid} on ");
        line.ShouldContain($"serving {holder}");
        line.ShouldContain("Stop that one, or give this one its own directory with --data-dir.");

        first.HasExited.ShouldBeFalse();
        (await http.PostAsJsonAsync("/api/sessions", new { id = "after" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await http.GetFromJsonAsync<Dictionary<string, object>>("/api/sessions/count"))!["total_sessions"].ToString().ShouldBe("2");
    }

    [Fact]
    public async Task AnEmbeddedHostWithTheDefaultStoreIsRefusedTheSameWay()
    {
        using var data = new TempDirectory();
        await using var first = await SwitchboardServer.StartAsync(dataDirectory: data.Path);
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => SwitchboardServer.StartAsync(dataDirectory: data.Path));
        var inUse = Innermost<DataDirectoryInUseException>(refused);
        inUse.Directory.ShouldBe(Path.GetFullPath(data.Path));
        inUse.Holder!.ShouldContain($"pid {Environment.ProcessId}");

        (await first.Http.PostAsJsonAsync("/api/sessions", new { id = "still-writing" })).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    private static T Innermost<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e is AggregateException a ? a.InnerExceptions[0] : e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        throw new ShouldAssertException($"No {typeof(T).Name} in {ex}");
    }
}
