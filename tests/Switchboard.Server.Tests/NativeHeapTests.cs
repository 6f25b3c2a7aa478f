using System.Runtime.InteropServices;
using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// Native memory that was freed below a live block stays in the process (glibc returns only an arena's top) until a
/// trim gives its pages back. Measures this process's resident memory, so it runs alone.
/// </summary>
[Collection(nameof(NativeHeapTests))]
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class NativeHeapTests
{
    private const int BlockBytes = 4096;
    private const int Blocks = 8192; // 32 MiB

    [Fact]
    public void ATrimGivesFreedNativeMemoryBackToTheSystem()
    {
        NativeHeap.IsGlibc.ShouldBeTrue("the suite runs on Linux with glibc, whose heap the executable tunes");

        var ones = Enumerable.Repeat((byte)1, BlockBytes).ToArray();
        var blocks = new nint[Blocks];
        for (var i = 0; i < Blocks; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(BlockBytes);
            Marshal.Copy(ones, 0, blocks[i], BlockBytes); // resident, not only reserved
        }

        var above = Marshal.AllocHGlobal(BlockBytes); // keeps the freed blocks from being the arena's top
        try
        {
            foreach (var block in blocks)
            {
                Marshal.FreeHGlobal(block);
            }

            var freed = ResidentAnonymousBytes();
            NativeHeap.Trim().ShouldBeTrue("there were free pages to give back");
            var trimmed = ResidentAnonymousBytes();

            (freed - trimmed).ShouldBeGreaterThan(Blocks * BlockBytes / 2, $"resident anonymous memory went from {freed:N0} to {trimmed:N0} bytes");
        }
        finally
        {
            Marshal.FreeHGlobal(above);
        }
    }

    private static long ResidentAnonymousBytes()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
