namespace Switchboard.Core.Hosting;

/// <summary>
/// The node's supervised loops by name, one registry per node: <c>/readyz</c> lists them and is not ready while a
/// critical one restarts or gave up (<see cref="NotReadyReason"/>), <c>/metrics</c> counts their restarts, and a failure
/// whose loop has no reporter of its own is reported here, to the host's log.
/// </summary>
/// <param name="report">Logs a failure with its registered event id (the server's hosting log).</param>
internal sealed class BackgroundLoops(Action<LoopFailure>? report = null)
{
    private readonly List<SupervisedLoop> _loops = []; // under its own lock

    /// <summary>The loops started and not yet stopped, in the order they started.</summary>
    public IReadOnlyList<SupervisedLoop> Snapshot()
    {
        lock (_loops)
        {
            return [.. _loops];
        }
    }

    /// <summary>Why the node is not ready because of a critical loop; null when every critical loop runs.</summary>
    public string? NotReadyReason
    {
        get
        {
            foreach (var loop in Snapshot())
            {
                var health = loop.Health;
                if (loop.Policy.Critical && health.Status is LoopStatus.Restarting or LoopStatus.GaveUp)
                {
                    var what = health.Status == LoopStatus.GaveUp ? "gave up" : "is restarting";
                    return $"background loop {loop.Name} {what} after {health.Failures} failure(s) in a row: {health.Failure}";
                }
            }

            return null;
        }
    }

    internal void Add(SupervisedLoop loop)
    {
        lock (_loops)
        {
            _loops.Add(loop);
        }
    }

    internal void Remove(SupervisedLoop loop)
    {
        lock (_loops)
        {
            _loops.Remove(loop);
        }
    }

    internal void Report(LoopFailure failure) => report?.Invoke(failure);
}
