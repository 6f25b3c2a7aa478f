using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Servers;

/// <summary>
/// The SignalR baseline: a hub with groups, published to by HTTP POST through <c>IHubContext</c>. The posted
/// event has the same shape and size as Switchboard's envelope, so both fan out the same bytes.
/// </summary>
internal sealed class SignalRTarget : Target
{
    private long _version;

    public override string Name => "SignalR";

    public override SubscriberProtocol CreateProtocol() => new SignalRProtocol();

    public override string SessionTopic(string sessionId) => "session:" + sessionId;

    public override HttpRequestMessage Publish(long marker, string sessionId) =>
        JsonRequest(HttpMethod.Post, "/publish", Envelope(marker, sessionId));

    public override HttpRequestMessage PublishTick(IReadOnlyList<(long Marker, string SessionId)> events)
    {
        var body = new StringBuilder("""{"events":[""");
        for (var i = 0; i < events.Count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(Envelope(events[i].Marker, events[i].SessionId));
        }

        return JsonRequest(HttpMethod.Post, "/publish-batch", body.Append("]}").ToString());
    }

    protected override Task<ChildServer> StartServerAsync(BenchPaths paths, string dataDirectory) =>
        ChildServer.StartAsync(paths.SignalRBaselineDll, []);

    /// <summary>What Switchboard would send for the same update: seq, epoch, type, session, time, changes, version.</summary>
    internal string Envelope(long marker, string sessionId)
    {
        var version = Interlocked.Increment(ref _version);
        var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $$$"""{"seq":{{{version}}},"epoch":"5b1e0c9a7d3f2e41","type":"session_updated","session_id":"{{{sessionId}}}","at":"{{{at}}}","data":{"changes":{"metadata":{"bx":{{{marker}}}},"updated_at":"{{{at}}}"},"version":{{{version}}}}}""");
    }
}
