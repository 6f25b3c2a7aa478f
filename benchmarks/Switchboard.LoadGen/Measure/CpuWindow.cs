namespace Switchboard.LoadGen.Measure;

/// <summary>CPU seconds used by the server and by the load generator itself since <see cref="Start"/>.</summary>
internal readonly record struct CpuWindow(int ServerPid, double Server0, double Self0)
{
    public static CpuWindow Start(int serverPid) =>
        new(serverPid, ProcStats.CpuSeconds(serverPid), ProcStats.CpuSeconds(Environment.ProcessId));

    public (double Server, double LoadGenerator) Stop() =>
        (ProcStats.CpuSeconds(ServerPid) - Server0, ProcStats.CpuSeconds(Environment.ProcessId) - Self0);
}
