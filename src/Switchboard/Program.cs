using Switchboard.Cli;
using Switchboard.Server.Hosting;

// Before the runtime's pool threads first allocate natively, so that they share a few glibc arenas instead of taking
// one each (docs/architecture.md, the native heap).
NativeHeap.LimitArenas();
return await SwitchboardCommandLine.RunAsync(args);
