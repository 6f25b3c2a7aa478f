using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// The one-file peer (<c>benchmarks/peer/peer.ts</c>, issue 59): one Bun process with <c>bun:sqlite</c> (WAL,
/// <c>synchronous=NORMAL</c>) that, on every Claude Code hook, inserts one row and sends the saved event to every
/// dashboard before it answers. Bun is installed from the folder's lock file (<c>npm ci</c>) the first time. It takes
/// part only in the hook run (<see cref="Scenarios.PeerRun"/>): its dashboards speak Phoenix V2 as Switchboard's do.
/// </summary>
internal sealed class PeerTarget : Target
{
    private static readonly string Bun = Path.Combine("node_modules", "bun", "bin", "bun.exe");

    public override string Name => "Peer";

    public override bool Managed => false;

    public override bool Supports(string scenario) => scenario == "hooks";

    public override SubscriberProtocol CreateProtocol() => new PhoenixProtocol();

    public override string SessionTopic(string sessionId) => throw new NotSupportedException("The peer routes no per-session topics.");

    public override HttpRequestMessage Publish(long marker, string sessionId) => throw new NotSupportedException("The peer takes hooks only.");

    public override HttpRequestMessage PublishTick(IReadOnlyList<(long Marker, string SessionId)> events) =>
        throw new NotSupportedException("The peer takes hooks only.");

    protected override Task<ChildServer> StartServerAsync(BenchPaths paths, string dataDirectory)
    {
        var directory = Path.Combine(paths.Root, "benchmarks", "peer");
        NpmPackage.EnsureInstalled(directory, Bun, "--peer");
        return ChildServer.StartAsync(Path.Combine(directory, Bun), ["--data-dir", dataDirectory], script: Path.Combine(directory, "peer.ts"));
    }
}
