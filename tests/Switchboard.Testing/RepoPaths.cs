namespace Switchboard.Testing;

/// <summary>Locations inside the repository, found from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built server executable (switchboard.dll), for child-process tests.</summary>
    public static string ServerDll => BuiltDll(Path.Combine("src", "Switchboard"), "switchboard.dll");

    /// <summary>
    /// The newest build of <paramref name="dllName"/> under <c>{project}/bin</c> for this configuration, e.g.
    /// <c>BuiltDll("samples/EmbeddedHost", "EmbeddedHost.dll")</c>. Reference the project (without its assembly) to have it built.
    /// </summary>
    public static string BuiltDll(string project, string dllName)
    {
        var bin = Path.Combine(Root, project, "bin");
        var dll = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, dllName, SearchOption.AllDirectories)
                .Where(p => p.Contains(Configuration, StringComparison.Ordinal))
                .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        return dll ?? throw new FileNotFoundException($"{dllName} was not built under {bin} ({Configuration}); build the solution first.");
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
