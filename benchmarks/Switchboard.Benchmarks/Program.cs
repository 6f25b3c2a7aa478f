using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

// Always in-process: no generated project to restore and build, so it runs offline and quickly on a small machine.
//   dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*'
var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.BroadcastBenchmark).Assembly).Run(arguments, config);
