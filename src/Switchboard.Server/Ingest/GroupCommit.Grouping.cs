using System.Threading.Channels;
using Switchboard.Core.Hosting;
using Switchboard.Core.Writes;
using Switchboard.Server.Options;

namespace Switchboard.Server.Ingest;

/// <summary>What goes into the next commit: as many waiting writes as the live path has room for, telemetry merged.</summary>
internal sealed partial class GroupCommit
{
    /// <summary>
    /// Takes the waiting batches into <paramref name="group"/> (their writes into <paramref name="writes"/>) while their
    /// events fit the room (<see cref="IWriteThrottle.Room"/>, counted in events): telemetry about an agent already in the
    /// commit merges into its event (<see cref="TelemetryCoalescing"/>), so it takes no room; a cascade takes the room of
    /// the most sessions one commit of it ends.
    /// </summary>
    private void TakeGroup(ChannelReader<QueuedWrites> reader, List<QueuedWrites> group, List<SessionWrite> writes, HashSet<string> agents)
    {
        var room = Math.Max(_throttle.Room, 1);
        var events = 0;
        group.Clear();
        writes.Clear();
        agents.Clear();
        while (events < room && writes.Count < MaxWritesPerCommit && reader.TryRead(out var batch))
        {
            if (batch.TryTake())
            {
                group.Add(batch);
                writes.AddRange(batch.Writes);
                events += batch.Streams.Count;
                foreach (var write in batch.Writes)
                {
                    events += write switch
                    {
                        ApplyTelemetry t => agents.Add(t.SessionId) ? 1 : 0,
                        TerminateSession { Cascade: true } => SwitchboardDefaults.CascadeChunk, // ends up to that many sessions
                        _ => 1,
                    };
                }
            }
        }
    }

    /// <summary>
    /// Telemetry next in line waits (at most <see cref="SocketOptions.FanoutAnswerWait"/>) until the last commit is fanned
    /// out: the requests that queue meanwhile then commit together, and their telemetry about each agent appends one event
    /// instead of one per request (<see cref="TelemetryCoalescing"/>). With subscribers the fan-out is the cost, so this
    /// is what lets OTLP ingest keep up. It also paces the exporters as the answer's wait paces other producers: no
    /// telemetry commits while the last commit's events still wait to be fanned out.
    /// </summary>
    private async Task HoldTelemetryAsync(ChannelReader<QueuedWrites> reader)
    {
        if (_options.FanoutAnswerWait <= TimeSpan.Zero || !reader.TryPeek(out var next) || !next.IsTelemetry || LastCommittedSeq == 0)
        {
            return;
        }

        var fannedOut = _throttle.WhenFannedOutAsync(LastCommittedSeq);
        if (!fannedOut.IsCompleted)
        {
            try
            {
                await fannedOut.WaitAsync(_options.FanoutAnswerWait, _time, _stopping.Token);
            }
            catch (TimeoutException)
            {
                // Held long enough: commit what is there.
            }
        }
    }
}
