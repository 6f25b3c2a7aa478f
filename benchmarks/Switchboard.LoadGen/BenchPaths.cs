namespace Switchboard.LoadGen;

/// <summary>Where the repository and the built servers are. The load generator's build builds both servers first.</summary>
internal sealed class BenchPaths
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private BenchPaths(string root) => Root = root;

    public string Root { get; }

    public string SwitchboardDll => Built(Path.Combine("src", "Switchboard"), "switchboard.dll");

    public string SignalRBaselineDll => Built(Path.Combine("benchmarks", "Switchboard.SignalRBaseline"), "Switchboard.SignalRBaseline.dll");

    /// <summary>The C floor server, compiled with the system <c>cc</c> into the load generator's output by its build.</summary>
    public string FloorExecutable => Path.Combine(AppContext.BaseDirectory, "floor") is var path && File.Exists(path)
        ? path
        : throw new FileNotFoundException($"{path} is not built: the load generator's build compiles benchmarks/floor/floor.c with `cc` (is a C compiler installed?).");

    public string BenchmarksDll => Built(Path.Combine("benchmarks", "Switchboard.Benchmarks"), "Switchboard.Benchmarks.dll");

    public static BenchPaths Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        return new BenchPaths(dir?.FullName ?? throw new DirectoryNotFoundException("Switchboard.slnx not found above " + AppContext.BaseDirectory));
    }

    private string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException(
            $"{path} is not built. Run the load generator with `dotnet run -c {Configuration} --project benchmarks/Switchboard.LoadGen`, which builds it first.");
    }
}
