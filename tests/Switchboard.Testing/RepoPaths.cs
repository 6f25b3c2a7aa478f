namespace Switchboard.Testing;

/// <summary>Locations inside the repository, found from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built server executable (switchboard.dll), for child-process tests.</summary>
    public static string ServerDll
    {
        get
        {
            var bin = Path.Combine(Root, "src", "Switchboard", "bin");
            var dll = Directory.Exists(bin)
                ? Directory.EnumerateFiles(bin, "switchboard.dll", SearchOption.AllDirectories)
                    .Where(p => p.Contains(Configuration, StringComparison.Ordinal))
                    .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
                : null;
            return dll ?? throw new FileNotFoundException($"switchboard.dll was not built under {bin} ({Configuration}); build the solution first.");
        }
    }

    /// <summary>The folder of Node.js test scripts.</summary>
    public static string JsTests => Path.Combine(Root, "tests", "js");

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Could not find Switchboard.slnx above " + AppContext.BaseDirectory);
    }
}
