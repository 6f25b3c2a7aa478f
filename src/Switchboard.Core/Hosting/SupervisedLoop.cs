namespace Switchboard.Core.Hosting;

/// <summary>
/// One supervised background loop, the one way Switchboard runs work in the background. <see cref="Start"/> runs the
/// body; a body that throws is restarted after a backoff on the injected clock (<see cref="LoopPolicy"/>), each failure
/// reported once (to the owner's <c>onFailure</c>, which logs it with the owner's event id, or else to
/// <see cref="BackgroundLoops"/>, which logs it with the hosting one); after <see cref="LoopPolicy.MaxFailures"/> in a
/// row it gives up. <see cref="StopAsync"/> cancels the token the body gets and waits for the body to end: an exception
/// thrown once stopping began is the end, not a failure. <see cref="Health"/> and <see cref="Restarts"/> are what
/// <c>/readyz</c> and <c>/metrics</c> report, by <see cref="Name"/>.
/// <para>
/// It lives in Core because a store's own loops (PostgreSQL's listeners) are supervised the same way, and the stores
/// reference Core, not the server.
/// </para>
/// </summary>
internal sealed class SupervisedLoop : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _body;
    private readonly TimeProvider _time;
    private readonly BackgroundLoops? _loops;
    private readonly Action<LoopFailure>? _onFailure;
    private readonly CancellationTokenSource _stop;
    private volatile LoopHealth _health = LoopHealth.Idle;
    private int _failures; // in a row; reset by ReportHealthy or (unless the body reports it) by a run that lasted MaxDelay
    private long _restarts;
    private Task _run = Task.CompletedTask;

    /// <param name="stopping">The owner's own stop, if it has one: it cancels the body's token as <see cref="StopAsync"/> does.</param>
    public SupervisedLoop(string name, Func<CancellationToken, Task> body, TimeProvider time, LoopPolicy? policy = null, BackgroundLoops? loops = null,
        Action<LoopFailure>? onFailure = null, CancellationToken stopping = default)
    {
        Name = name;
        _body = body;
        _time = time;
        Policy = policy ?? LoopPolicy.Default;
        _loops = loops;
        _onFailure = onFailure;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public string Name { get; }

    public LoopPolicy Policy { get; }

    public LoopHealth Health => _health;

    /// <summary>How many times the body was started again after a failure.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Failures in a row (0 while it runs well): a listener tells its first connection from a reconnect by it.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Completes when the loop ended: stopped, its work done, or given up (what the body threw is reported, not rethrown).</summary>
    public Task Completion => _run;

    public void Start()
    {
        if (_health != LoopHealth.Idle)
        {
            throw new InvalidOperationException($"The {Name} loop was already started.");
        }

        _health = LoopHealth.Running;
        _loops?.Add(this);
        _run = Task.Run(SuperviseAsync);
    }

    /// <summary>From the body: it works again (a listener listens), so the next failure starts the backoff afresh.</summary>
    public void ReportHealthy()
    {
        Volatile.Write(ref _failures, 0);
        if (_health.Status == LoopStatus.Restarting)
        {
            _health = LoopHealth.Running;
        }
    }

    /// <summary>Cancels the body's token and waits for the body (or the backoff wait) to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _loops?.Remove(this);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task SuperviseAsync()
    {
        var token = _stop.Token;
        while (true)
        {
            var started = _time.GetTimestamp();
            try
            {
                await _body(token);
                break;
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                break; // stopping, not failing
            }
            catch (Exception ex)
            {
                if (!Policy.ReportsHealthy && _time.GetElapsedTime(started) >= Policy.MaxDelay)
                {
                    Volatile.Write(ref _failures, 0); // it ran well for a while: this one starts the backoff afresh
                }

                var failures = Interlocked.Increment(ref _failures);
                if (Policy.MaxFailures is { } max && failures >= max)
                {
                    _health = new LoopHealth(LoopStatus.GaveUp, ex.Message, failures);
                    Report(new LoopFailure(Name, ex, failures, null));
                    return;
                }

                var delay = Policy.Delay(failures, Random.Shared.NextDouble());
                _health = new LoopHealth(LoopStatus.Restarting, ex.Message, failures);
                Report(new LoopFailure(Name, ex, failures, delay));
                try
                {
                    await Task.Delay(delay, _time, token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                Interlocked.Increment(ref _restarts);
                if (!Policy.ReportsHealthy)
                {
                    _health = LoopHealth.Running;
                }
            }
        }

        _health = LoopHealth.Stopped;
    }

    private void Report(LoopFailure failure)
    {
        if (_onFailure is not null)
        {
            _onFailure(failure);
        }
        else
        {
            _loops?.Report(failure);
        }
    }
}
