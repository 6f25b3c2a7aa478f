using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// The floor (<c>benchmarks/floor/floor.c</c>): a C server that does only the unavoidable work, epoll, the WebSocket
/// handshake, an ok reply to every Phoenix join and heartbeat, and on each <c>POST /publish</c> one pre-encoded
/// broadcast frame, of the same size as Switchboard's, written to every subscriber with one thread per core. Its
/// subscribers speak Phoenix V2 exactly as Switchboard's do. It routes no per-session topics, so the mixed and overload
/// scenarios leave it out.
/// </summary>
internal sealed class FloorTarget : Target
{
    private readonly SignalRTarget _envelopes = new();

    public override string Name => "Floor";

    public override bool Managed => false;

    public override bool Supports(string scenario) => scenario is "fixed" or "saturated";

    public override SubscriberProtocol CreateProtocol() => new PhoenixProtocol();

    public override string SessionTopic(string sessionId) => "session:" + sessionId;

    public override HttpRequestMessage Publish(long marker, string sessionId) =>
        JsonRequest(HttpMethod.Post, "/publish", _envelopes.Envelope(marker, sessionId));

    public override HttpRequestMessage PublishTick(IReadOnlyList<(long Marker, string SessionId)> events) =>
        throw new NotSupportedException("The floor routes no per-session topics.");

    protected override Task<ChildServer> StartServerAsync(BenchPaths paths, string dataDirectory) =>
        ChildServer.StartAsync(paths.FloorExecutable, []);
}
