using Switchboard.Testing;

namespace Switchboard.Cli.Tests;

/// <summary>
/// <c>switchboard serve</c> caps glibc's arenas and gives the native heap's free pages back to the system, and says so
/// once at start.
/// </summary>
public sealed class NativeHeapTests
{
    [Fact]
    public async Task TheServerSaysItCapsItsArenasAndTrimsItsNativeHeapEveryTenSeconds()
    {
        using var data = new TempDirectory();
        await using var server = Cli.Start("--urls", "http://127.0.0.1:0", "--data-dir", data.Path);
        await server.WaitForListeningAsync();
        await server.WaitForLineAsync(l => l.Contains("Native heap: ", StringComparison.Ordinal));
        server.Output.ShouldContain("Native heap: free pages go back to the system every 10 s (malloc_trim); arenas: at most 2");
    }
}
