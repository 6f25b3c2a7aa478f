using System.Text.RegularExpressions;
using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard serve</c> gives its free memory back: it returns start-up's memory once it listens, caps glibc's arenas
/// and trims the native heap, collects the managed heap's garbage when it is quiet, and says so.
/// </summary>
public sealed partial class HeapTrimTests
{
    [Fact]
    public async Task TheServerSaysItCapsItsArenasTrimsItsNativeHeapAndCollectsWhenQuiet()
    {
        using var data = new TempDirectory();
        await using var server = Cli.Start("--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        await server.WaitForListeningAsync();
        await server.WaitForLineAsync(l => l.Contains("Native heap: ", StringComparison.Ordinal));
        server.Output.ShouldContain("Native heap: free pages go back to the system every 5 s (malloc_trim); arenas: at most 2");
        server.Output.ShouldContain("Managed heap: checked every 5 s, gen0 collected when the runtime has not collected since and at least 1 MB was allocated");
    }

    /// <summary>
    /// Once it listens, the server says what it gave back of start-up's memory: the pages of its program's files that
    /// only start-up read (here the runtime's and the framework's libraries) and the managed heap's start-up garbage.
    /// The native executable's figures are checked by <c>NativeExecutableTests</c>.
    /// </summary>
    [Fact]
    public async Task TheServerSaysWhatItGaveBackOfStartUpsMemory()
    {
        using var data = new TempDirectory();
        await using var server = Cli.Start("--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        using var http = new HttpClient { BaseAddress = await server.WaitForListeningAsync(), Timeout = TestTimeouts.Default };
        var line = await server.WaitForLineAsync(l => l.Contains("Start-up memory returned", StringComparison.Ordinal));

        var figures = StartUpMemoryLine.Parse(line);
        figures.StartMb.ShouldBeGreaterThan(0, line);
        figures.Mappings.ShouldBeGreaterThan(0, line);
        figures.MappedMb.ShouldBeGreaterThan(0, line);
        server.Output.ShouldNotContain("Program pages: some stay resident");
        (await http.GetAsync("/api/sessions")).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A lightly used server collects within a check or two, long before the runtime's own gen0 budget (sized by the
    /// processor's cache, tens to hundreds of megabytes) would have it collect.
    /// </summary>
    [Fact]
    public async Task ALightlyUsedServerCollectsItsGarbageWithinSeconds()
    {
        using var data = new TempDirectory();
        await using var server = Cli.StartWith(
            new Dictionary<string, string> { ["Logging__LogLevel__Switchboard.Server.Hosting.HeapTrim"] = "Debug" },
            "--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        using var http = new HttpClient { BaseAddress = await server.WaitForListeningAsync(), Timeout = TestTimeouts.Default };
        var before = await CollectionsAsync(http);

        // Light use until the server collects: a session list and a metrics page ten times a second (about 1 MB a second
        // here), so that each check finds a megabyte allocated since the last collection it knows of.
        var collected = server.WaitForLineAsync(l => l.Contains("gen0 collected while quiet", StringComparison.Ordinal), TestTimeouts.Long);
        while (!collected.IsCompleted)
        {
            (await http.GetAsync("/api/sessions")).EnsureSuccessStatusCode();
            await CollectionsAsync(http);
            await Task.WhenAny(collected, Task.Delay(100));
        }

        var line = await collected;
        line.ShouldMatch(@"Managed heap: gen0 collected while quiet, \d+\.\d MB allocated since the last collection");
        (await CollectionsAsync(http)).ShouldBeGreaterThan(before, "the runtime counted the collection");
    }

    /// <summary>Collections of every generation so far (the runtime may take a requested gen0 collection further).</summary>
    private static async Task<long> CollectionsAsync(HttpClient http)
    {
        var metrics = await http.GetStringAsync("/metrics");
        return Collections().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("""dotnet_gc_collections_total\{gc_heap_generation="gen\d"\} (\d+)""")]
    private static partial Regex Collections();
}
