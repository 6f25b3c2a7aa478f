using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Switchboard.Client.Tests;

/// <summary>What to do to one request on its way to the real server.</summary>
internal enum Fault
{
    None,
    /// <summary>Answer 503 + Retry-After: 1 without forwarding (nothing applied).</summary>
    Unavailable,
    /// <summary>Forward it (the server applies it), then lose the answer: the client cannot know it landed.</summary>
    LoseResponse,
    /// <summary>Fail as if the connection could not be made (nothing applied).</summary>
    Refuse,
}

/// <summary>
/// Sits between the SDK and a real server, recording every request and injecting the failures a network produces.
/// Everything not faulted goes to the real server unchanged.
/// </summary>
internal sealed class FaultInjectingHandler(Func<HttpRequestMessage, Fault>? decide = null) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public ConcurrentQueue<(string Method, string Path, TimeSpan At, Fault Fault)> Requests { get; } = new();

    public Func<HttpRequestMessage, Fault> Decide { get; set; } = decide ?? (_ => Fault.None);

    public IEnumerable<TimeSpan> TimesOf(string method, string path) =>
        Requests.Where(r => r.Method == method && r.Path == path).Select(r => r.At);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var fault = Decide(request);
        Requests.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, _clock.Elapsed, fault));
        switch (fault)
        {
            case Fault.Unavailable:
                var unavailable = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    Content = new StringContent(
                        """{"type":"urn:switchboard:problem:store_unavailable","title":"Service unavailable","status":503,"detail":"Injected.","code":"store_unavailable"}""",
                        Encoding.UTF8, "application/problem+json"),
                };
                unavailable.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return unavailable;
            case Fault.Refuse:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Injected: connection refused.");
            case Fault.LoseResponse:
                using (await base.SendAsync(request, cancellationToken))
                {
                    throw new HttpRequestException(HttpRequestError.ResponseEnded, "Injected: the connection dropped before the answer arrived.");
                }

            default:
                return await base.SendAsync(request, cancellationToken);
        }
    }
}
