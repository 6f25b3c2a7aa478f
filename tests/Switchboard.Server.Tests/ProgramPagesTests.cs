using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// Which mappings <see cref="ProgramPages"/> asks the kernel to page out, read from <c>/proc/self/smaps</c> text: only
/// private, read-only mappings of files that hold no page the process changed. The executable's real page-out is
/// checked by the CLI tests (<c>NativeExecutableTests</c>, <c>HeapTrimTests</c>).
/// </summary>
public sealed class ProgramPagesTests
{
    [Fact]
    public void TheProgramsReadOnlyFileMappingsArePagedOutAndNothingElse()
    {
        var smaps = string.Join('\n',
            Mapping("55ec0708e000-55ec070ec000 r--p 00000000 fe:00 11690172                   /opt/switchboard/switchboard", anonymousKb: 0),
            Mapping("55ec070ec000-55ec08441000 r-xp 0005e000 fe:00 11690172                   /opt/switchboard/switchboard", anonymousKb: 0),
            Mapping("55ec091e8000-55ec091e9000 r--p 0215a000 fe:00 11690172                   /opt/switchboard/switchboard", anonymousKb: 4),
            Mapping("55ec091e9000-55ec092b0000 rw-p 0215b000 fe:00 11690172                   /opt/switchboard/switchboard", anonymousKb: 0),
            Mapping("7f1c2a000000-7f1c2a400000 rw-p 00000000 00:00 0 ", anonymousKb: 2048),
            Mapping("7f1c2b000000-7f1c2b008000 rw-s 00000000 fe:00 5512                       /var/lib/switchboard/switchboard.db-shm", anonymousKb: 0),
            Mapping("7f1c2c000000-7f1c2c010000 r--s 00000000 fe:00 5513                       /usr/share/zoneinfo/UTC", anonymousKb: 0),
            Mapping("7f1c2d000000-7f1c2d1c4000 r-xp 00028000 fe:00 4411                       /usr/lib/x86_64-linux-gnu/libc.so.6", anonymousKb: 0),
            Mapping("7ffd6e9f0000-7ffd6e9f2000 r-xp 00000000 00:00 0                          [vdso]", anonymousKb: 0),
            Mapping("555555554000-555555556000 r--p 00000000 fe:00 9001                       /tmp/a file with spaces (deleted)", anonymousKb: 0));

        var mappings = ProgramPages.ReadOnlyFileMappings(smaps.Split('\n')).ToList();

        mappings.ShouldBe([
            new ProgramPages.Mapping(0x55ec0708e000, 0x55ec070ec000),
            new ProgramPages.Mapping(0x55ec070ec000, 0x55ec08441000),
            new ProgramPages.Mapping(0x7f1c2d000000, 0x7f1c2d1c4000),
            new ProgramPages.Mapping(0x555555554000, 0x555555556000),
        ]);
    }

    [Fact]
    public void AMappingWithoutAnAnonymousLineIsNotPagedOut()
    {
        // A kernel that wrote no Anonymous field would leave no way to tell the process's own pages apart: nothing goes,
        // and the next mapping's field is not taken for it.
        string[] smaps =
        [
            "55ec070ec000-55ec08441000 r-xp 0005e000 fe:00 11690172                   /opt/switchboard/switchboard",
            "Size:              19796 kB",
            "Rss:               12392 kB",
            "7f1c2a000000-7f1c2a400000 rw-p 00000000 00:00 0 ",
            "Size:               4096 kB",
            "Anonymous:             0 kB",
            "55ec08441000-55ec091e8000 r--p 013b3000 fe:00 11690172                   /opt/switchboard/switchboard",
            "Size:              13980 kB",
        ];

        ProgramPages.ReadOnlyFileMappings(smaps).ShouldBeEmpty();
    }

    /// <summary>One mapping as the kernel writes it: its header, then its fields (a few of them).</summary>
    private static string Mapping(string header, int anonymousKb) => string.Join('\n',
        header,
        "Size:                376 kB",
        "Rss:                 120 kB",
        "Private_Clean:       120 kB",
        $"Anonymous:           {anonymousKb} kB",
        "THPeligible:           0",
        "VmFlags: rd mr mw me ");
}
