using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchboard.Core.Streams;
using Switchboard.Server.Background;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Streams.Options;

namespace Switchboard.Server.Streams;

/// <summary>
/// Durable streams' background work, started after the runtime (the store is open) and stopped before it: connects the
/// store's stream feed to this node's <see cref="StreamWatch"/>, and sweeps on a supervised periodic job driven by the
/// injected clock. A sweep expires the streams whose TTL or expiry passed (a write through the pipeline, so several nodes
/// expire each stream once) and reclaims the data of deleted streams in bounded steps. An expired stream answers as
/// deleted at once whether or not a sweep has reached it.
/// </summary>
internal sealed class StreamSweeper : IHostedLifecycleService, IDisposable
{
    private const int Batch = 500;

    private readonly IStreamStore _store;
    private readonly StreamWatch _watch;
    private readonly GroupCommit _pipeline;
    private readonly DurableStreamOptions _options;
    private readonly ILogger _logger;
    private readonly PeriodicJob<int> _job;

    public StreamSweeper(IStreamStore store, StreamWatch watch, GroupCommit pipeline, SwitchboardOptions options, TimeProvider time, ILogger<StreamSweeper> logger)
    {
        _store = store;
        _watch = watch;
        _pipeline = pipeline;
        _options = options.Streams;
        _logger = logger;
        _job = new PeriodicJob<int>(time, SweepAsync, skipped: 0, ex => StreamLog.SweepFailed(logger, ex));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.StreamFeed.StartAsync(_watch, cancellationToken);
        _job.Start(_options.SweepInterval, _options.SweepInterval);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Before any service stops (the server included, which waits for the requests in flight): every live read answers
    /// now, with what it has, instead of holding the shutdown until its timeout.
    /// </summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _watch.Stop();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watch.Stop();
        _job.Dispose();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sweeps now (unless a sweep is running). Returns how many streams expired.</summary>
    public Task<int> SweepNowAsync() => _job.RunOnceAsync();

    private async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        while (true)
        {
            var outcome = (await _pipeline.SubmitStreamsAsync([new ExpireStreams(Batch)], cancellationToken))[0];
            expired += outcome.Expired;
            if (outcome.Expired < Batch)
            {
                break;
            }
        }

        if (expired > 0)
        {
            StreamLog.Expired(_logger, expired);
        }

        while (await _store.ReclaimAsync(Batch, cancellationToken) > 0 && !cancellationToken.IsCancellationRequested)
        {
        }

        return expired;
    }

    public void Dispose() => _job.Dispose();
}
