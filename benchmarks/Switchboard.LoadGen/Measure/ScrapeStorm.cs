using System.Diagnostics;

namespace Switchboard.LoadGen.Measure;

/// <summary>
/// Scrapes <c>/metrics</c> at a fixed rate until disposed, as a monitoring system with a very short interval would:
/// each scrape starts on schedule whether or not the previous one has finished.
/// </summary>
internal sealed class ScrapeStorm : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _completed;
    private long _slowestTicks;

    private ScrapeStorm(HttpClient http, int perSecond) =>
        _loop = perSecond > 0 ? Task.Run(() => RunAsync(http, perSecond)) : Task.CompletedTask;

    public long Completed => Interlocked.Read(ref _completed);

    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref _slowestTicks));

    /// <summary>Starts scraping <paramref name="perSecond"/> times a second; 0 starts nothing.</summary>
    public static ScrapeStorm Start(HttpClient http, int perSecond) => new(http, perSecond);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient http, int perSecond)
    {
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(ScrapeAsync(http));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight);
    }

    private async Task ScrapeAsync(HttpClient http)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync("/metrics", HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        var ticks = Stopwatch.GetElapsedTime(started).Ticks;
        Interlocked.Increment(ref _completed);
        for (var slowest = Interlocked.Read(ref _slowestTicks); ticks > slowest; slowest = Interlocked.Read(ref _slowestTicks))
        {
            if (Interlocked.CompareExchange(ref _slowestTicks, ticks, slowest) == slowest)
            {
                break;
            }
        }
    }
}
