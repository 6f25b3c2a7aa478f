using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Servers;

/// <summary>A system under test: how to start it, subscribe to it, and publish one event or one tick of events over HTTP.</summary>
internal abstract class Target : IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    protected Target()
    {
        Http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        { Timeout = TimeSpan.FromSeconds(120) };
    }

    public abstract string Name { get; }

    /// <summary>A .NET server: a full GC can be induced before memory is read, and it may run every scenario.</summary>
    public virtual bool Managed => true;

    /// <summary>Whether this system takes part in a scenario group (the floor routes no per-session topics).</summary>
    public virtual bool Supports(string scenario) => true;

    public ChildServer Server { get; private set; } = null!;

    /// <summary><c>/metrics</c> scrapes per second during the saturated scenario (0: none).</summary>
    public virtual int ScrapesPerSecond => 0;

    public HttpClient Http { get; }

    public abstract SubscriberProtocol CreateProtocol();

    public abstract string SessionTopic(string sessionId);

    public string GlobalTopic => "sessions";

    public async Task StartAsync(BenchPaths paths, string dataDirectory)
    {
        Server = await StartServerAsync(paths, dataDirectory);
        Http.BaseAddress = Server.BaseAddress;
    }

    /// <summary>Makes the sessions events will be published for (Switchboard needs them to exist).</summary>
    public virtual Task PrepareSessionsAsync(IEnumerable<string> sessionIds) => Task.CompletedTask;

    /// <summary>A request that becomes exactly one event of about 200 bytes for the global topic.</summary>
    public abstract HttpRequestMessage Publish(long marker, string sessionId);

    /// <summary>A request that becomes one event per entry, each on the global topic and on its session's topic.</summary>
    public abstract HttpRequestMessage PublishTick(IReadOnlyList<(long Marker, string SessionId)> events);

    /// <summary>Sums and counts of the server's own latency histograms, where it has them (Switchboard's <c>/metrics</c>).</summary>
    public virtual Task<IReadOnlyDictionary<string, double>> ReadLatencyCountersAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    /// <summary>Event frames queued and socket writes so far, from the server's own metrics; null where it has none.</summary>
    public virtual Task<(long Deliveries, long Writes)?> ReadWriteCountersAsync() => Task.FromResult<(long, long)?>(null);

    /// <summary>The server's own view of its memory (GC sizes), for the census; empty where it reports none.</summary>
    public virtual Task<string> DescribeMemoryAsync() => Task.FromResult("");

    /// <summary>Sends a publish; a refusal or a failed request counts as an error, never as a delivery to wait for.</summary>
    public async Task SendAsync(HttpRequestMessage request, Action onError)
    {
        using (request)
        {
            try
            {
                using var response = await Http.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    onError();
                }
            }
            catch (HttpRequestException)
            {
                onError();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    protected abstract Task<ChildServer> StartServerAsync(BenchPaths paths, string dataDirectory);

    protected static HttpRequestMessage JsonRequest(HttpMethod method, string path, string body) =>
        new(method, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = Json } } };
}
