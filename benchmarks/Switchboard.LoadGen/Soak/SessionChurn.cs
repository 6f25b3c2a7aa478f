using System.Globalization;
using System.Net;
using System.Text;
using Switchboard.LoadGen.Servers;

namespace Switchboard.LoadGen.Soak;

/// <summary>
/// The producers of a soak: 300 active sessions updated all the time (state, metadata, usage, heartbeats; about 100
/// writes a second in all), two created and two terminated every second, one in ten ending in an explicit error first,
/// and every five seconds one abandoned mid-work: its 30 s lease runs out (error, <c>lease_expired</c>), the stalled rule
/// fires, and it is terminated a minute later. Writes to a session the churn just ended get 409; any other refusal counts
/// as a failure.
/// </summary>
internal sealed class SessionChurn(Target target)
{
    public const int ActiveSessions = 300;
    private const int Writers = 4;
    private static readonly TimeSpan WriteEvery = TimeSpan.FromMilliseconds(40); // per writer: 25/s, 100/s in all
    private static readonly TimeSpan ChurnEvery = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan AbandonedFor = TimeSpan.FromSeconds(60);

    private readonly List<string> _active = [];
    private readonly Queue<(string Id, DateTime At)> _abandoned = new();
    private long _next;
    private long _acknowledged;
    private long _conflicts;
    private long _failures;
    private long _created;
    private long _terminated;

    /// <summary>Writes answered 2xx.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Writes answered 409 because the churn had just ended their session (expected, by construction).</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Writes refused otherwise, or failed: any is a failed run.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public long Created => Interlocked.Read(ref _created);

    public long Terminated => Interlocked.Read(ref _terminated);

    /// <summary>An active session, for a subscriber to watch.</summary>
    public string AnyActive()
    {
        lock (_active)
        {
            return _active.Count == 0 ? "soak-0" : _active[Random.Shared.Next(_active.Count)];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 0; i < ActiveSessions; i++)
        {
            await CreateAsync();
        }

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => WriteLoopAsync(w, stop)).Append(ChurnLoopAsync(stop)));
    }

    private async Task WriteLoopAsync(int writer, CancellationToken stop)
    {
        var rng = new Random(writer);
        using var timer = new PeriodicTimer(WriteEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var id = AnyActive();
                var n = Interlocked.Increment(ref _next);
                var (method, path, body) = rng.Next(10) switch
                {
                    < 5 => (HttpMethod.Post, $"/api/sessions/{id}/usage",
                        string.Create(CultureInfo.InvariantCulture, $$"""{"input_tokens":{{100 + n % 900}},"output_tokens":{{n % 300}},"cost_usd":0.0004}""")),
                    < 9 => (HttpMethod.Patch, $"/api/sessions/{id}",
                        string.Create(CultureInfo.InvariantCulture, $$$"""{"state":"{{{(n % 2 == 0 ? "working" : "idle")}}}","metadata":{"step":{{{n}}}}}""")),
                    _ => (HttpMethod.Post, $"/api/sessions/{id}/heartbeat", "{}"),
                };
                await SendAsync(method, path, body);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ChurnLoopAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ChurnEvery);
        var tick = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                tick++;
                var ending = Take();
                if (tick % 10 == 0)
                {
                    // One in ten ends in an error first: the error alert is raised, then resolved by the termination.
                    await SendAsync(HttpMethod.Patch, $"/api/sessions/{ending}", """{"state":"error","error_message":"soak: simulated failure"}""");
                }

                await TerminateAsync(ending, "done");
                await CreateAsync();
                if (tick % 10 == 5)
                {
                    // Abandoned mid-work: nobody updates it again, so its lease expires and the stalled rule fires.
                    var gone = Take();
                    _abandoned.Enqueue((gone, DateTime.UtcNow));
                    await CreateAsync();
                }

                while (_abandoned.TryPeek(out var oldest) && DateTime.UtcNow - oldest.At > AbandonedFor)
                {
                    _abandoned.Dequeue();
                    await TerminateAsync(oldest.Id, "abandoned");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Take()
    {
        lock (_active)
        {
            var i = Random.Shared.Next(_active.Count);
            var id = _active[i];
            _active[i] = _active[^1];
            _active.RemoveAt(_active.Count - 1);
            return id;
        }
    }

    private async Task CreateAsync()
    {
        var n = Interlocked.Increment(ref _next);
        var id = $"soak-{n}";
        var body = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"id":"{{{id}}}","name":"soak agent {{{n}}}","state":"working","lease_seconds":30,"labels":{"team":"t{{{n % 10}}}","model":"m{{{n % 3}}}"}}""");
        if (await SendAsync(HttpMethod.Post, "/api/sessions", body))
        {
            Interlocked.Increment(ref _created);
            lock (_active)
            {
                _active.Add(id);
            }
        }
    }

    private async Task TerminateAsync(string id, string reason)
    {
        if (await SendAsync(HttpMethod.Post, $"/api/sessions/{id}/terminate", $$"""{"reason":"{{reason}}"}"""))
        {
            Interlocked.Increment(ref _terminated);
        }
    }

    private async Task<bool> SendAsync(HttpMethod method, string path, string body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        try
        {
            using var response = await target.Http.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _acknowledged);
                return true;
            }

            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                Interlocked.Increment(ref _conflicts);
            }
            else
            {
                Interlocked.Increment(ref _failures);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failures);
        }

        return false;
    }
}
