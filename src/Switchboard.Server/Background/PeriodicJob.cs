using System.Threading.Channels;
using Switchboard.Core.Hosting;

namespace Switchboard.Server.Background;

/// <summary>
/// One supervised background job on the injected clock (lease expiry, retention). A timer created at start wakes a
/// single loop that runs the job; wake-ups that come while a run is going fold into one, so runs never overlap or pile
/// up. A run that throws is handed to the owner's <c>onFailure</c> (which logs it with its event id) and the loop goes
/// on: the next tick is the retry, so one bad run never silently ends the job. <see cref="RunOnceAsync"/> (tests, a
/// caller that wants the work now) shares the same guard against overlap. Stopping cancels the run in flight quietly.
/// The loop is a <see cref="SupervisedLoop"/> (in the node's <see cref="BackgroundLoops"/> under <c>name</c> when given
/// <c>loops</c>): a periodic job is that loop on a timer.
/// </summary>
internal sealed class PeriodicJob<T>(TimeProvider time, Func<CancellationToken, Task<T>> run, T skipped, Action<Exception> onFailure,
    string name = "periodic-job", BackgroundLoops? loops = null) : IDisposable
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite, // a tick while one is pending or running folds into it
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });

    private readonly CancellationTokenSource _stop = new();
    private SupervisedLoop? _loop;
    private ITimer? _timer;
    private int _running;

    /// <summary>The loop: completes once the job is disposed and the run in flight, if any, has ended.</summary>
    public Task Completion => _loop?.Completion ?? Task.CompletedTask;

    /// <summary>Runs the job first after <paramref name="firstDue"/>, then every <paramref name="period"/>.</summary>
    public void Start(TimeSpan firstDue, TimeSpan period)
    {
        _loop = new SupervisedLoop(name, LoopAsync, time, loops: loops);
        _loop.Start();
        _timer = time.CreateTimer(static s => ((PeriodicJob<T>)s!)._wake.Writer.TryWrite(true), this, firstDue, period);
    }

    /// <summary>Runs the job now, unless a run is already going (then returns <c>skipped</c> at once). Never throws.</summary>
    public async Task<T> RunOnceAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return skipped;
        }

        try
        {
            return await run(_stop.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return skipped; // stopping, not failing
        }
        catch (Exception ex)
        {
            onFailure(ex);
            return skipped;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task LoopAsync(CancellationToken token)
    {
        while (await _wake.Reader.WaitToReadAsync(token))
        {
            _wake.Reader.TryRead(out _);
            await RunOnceAsync();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _wake.Writer.TryComplete();
        _stop.Cancel();
        _ = _loop?.StopAsync(); // the body throws nothing but its cancellation; Completion is how to wait for it
    }
}
