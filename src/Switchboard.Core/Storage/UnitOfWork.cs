using Switchboard.Core.UsageRollups;
using Switchboard.Core.Writes;

namespace Switchboard.Core.Storage;

/// <summary>
/// The write transaction, once, for every store. A store opens an <see cref="IStoreTransaction"/> (its connection, its
/// lock) and hands it here; this decides what to read and in which order, calls the store's batched primitives, applies
/// the batch (<see cref="WriteBatch"/>) and has the store persist and commit it:
/// <list type="number">
/// <item>the rows of the writes' targets and parents, read (and locked) in one statement before anything is written: on
/// them a scoped key's write outside its scope is refused, telemetry for a session that has ended is moved to its
/// continuation (<see cref="TelemetryContinuation"/>), and the scope judges that one too (<see cref="DecideAsync"/>), so
/// a refused write changes nothing anywhere;</item>
/// <item>telemetry: keep only observations whose dedupe key is new (<see cref="TelemetryDedupe"/>), turn cumulative
/// metric points into increments (<see cref="MetricSeries"/>), link sub-agents to their parents' sessions by span
/// owners and waits (<see cref="TelemetryLinks"/>);</item>
/// <item>the rows the links brought, the part of a cascade's subtree that this commit ends and an adopted root's subtree,
/// and every ancestor of those, read (and locked) in one more statement;</item>
/// <item>the alerts and commands the batch targets, the batch applied in memory, usage rolled up against the per-label
/// active counts, everything persisted and committed.</item>
/// </list>
/// One instance per store: it owns the facts it has learned about span links (<see cref="SpanLinkCache"/>).
/// </summary>
internal sealed class UnitOfWork(UsageOptions usage, Switchboard.Core.Streams.StreamPolicy streams)
{
    private readonly SpanLinkCache _links = new();

    /// <summary>Forgets what it learned (the store's tables changed under it).</summary>
    public void Reset() => _links.Reset();

    /// <summary>
    /// Applies <paramref name="writes"/> in <paramref name="transaction"/> and commits; the batch it committed, whose
    /// results past the submitted writes are the adoptions the links added (<see cref="Outcome.Results"/> leaves them out).
    /// The batch's time is read from <paramref name="clock"/> once the transaction holds the log's lock, so the events of
    /// commits, on any node, are in time order as they are in seq order.
    /// </summary>
    /// <param name="streamsOf">The stream primitives inside <paramref name="transaction"/>, asked for only when the batch has
    /// session stream writes (<see cref="WriteSessionStream"/>).</param>
    public async Task<Outcome> RunAsync(IStoreTransaction transaction, IReadOnlyList<SessionWrite> writes, Func<DateTimeOffset> clock,
        Func<Switchboard.Core.Streams.IDurableStreamWriter>? streamsOf = null)
    {
        var submitted = writes.Count;
        var now = clock(); // for the telemetry tables' purge times only
        var rows = new SessionRows(transaction);
        await rows.LockAsync(WriteBatch.TargetIds(writes));
        writes = await DecideAsync(writes, rows);
        writes = await DedupeAsync(transaction, writes, now);
        writes = await ResolveStreamsAsync(transaction, writes, now);
        var learned = new SpanLinkCache.Changes();
        writes = await LinkSpansAsync(transaction, writes, now, learned);
        var (applied, cascades) = await rows.LockTreesAsync(writes);

        var alerts = WriteBatch.AlertTargets(writes);
        var commands = WriteBatch.CommandTargets(writes);
        var approvals = WriteBatch.ApprovalTargets(writes, rows.Read);
        var head = await transaction.ReadHeadAsync();
        var alertRows = alerts.Count == 0 ? null : await transaction.ReadAlertsAsync(alerts);
        var commandRows = commands.IsEmpty ? null : await transaction.ReadCommandsAsync(commands);
        var approvalRows = approvals.IsEmpty ? null : await transaction.ReadApprovalsAsync(approvals);
        var at = clock();
        var (streamWriter, streamBatch) = await LoadStreamsAsync(applied, streamsOf, at);
        var batch = WriteBatch.Apply(applied, rows.Read, head, at, alertRows, commandRows, cascades,
            streamBatch is null ? null : w => Switchboard.Core.Streams.StreamWriteProcessor.Apply(streamBatch, w), approvalRows);
        if (batch.EndedSessions(applied) is { Count: > 0 } over)
        {
            // A session that ends takes its pending approvals with it (docs/approvals.md): read only for such a batch.
            batch.WithdrawEnded(over, await transaction.ReadPendingApprovalsAsync(over), at);
        }

        await transaction.PersistAsync(PersistPlan.Of(batch, await RollUpAsync(transaction, batch)));
        if (batch.DirtyAlerts.Any() || batch.DirtyCommands.Any() || batch.DirtyApprovals.Count > 0)
        {
            await transaction.WriteTargetsAsync(batch);
        }

        if (streamBatch is not null)
        {
            // Before the session ends' closes below: a stream created earlier in this batch is closed by its session's end.
            await Switchboard.Core.Streams.StreamWriteProcessor.PersistAsync(streamWriter!, streamBatch, CancellationToken.None);
        }

        // A session's durable streams end with it, in the same commit (docs/streams.md "Session streams").
        var ended = batch.Events.Where(e => e.Type == Switchboard.Core.Events.EventTypes.SessionTerminated && e.SessionId is not null).Select(e => e.SessionId!)
            .ToHashSet(StringComparer.Ordinal);
        if (ended.Count > 0)
        {
            await transaction.EndSessionStreamsAsync(ended, at + streams.RetainAfterEnd);
        }

        await transaction.CommitAsync();
        _links.Commit(learned);
        return new Outcome(batch, batch.Results.Length == submitted ? batch.Results : batch.Results[..submitted]);
    }

    /// <summary>
    /// The streams the batch's session stream writes name, locked and read in the same transaction (the stream write's own
    /// unit of work, <see cref="Switchboard.Core.Streams.StreamWriteProcessor.LoadAsync"/>), for the batch to apply them in order with the
    /// session writes; nothing when there are none.
    /// </summary>
    private static async Task<(Switchboard.Core.Streams.IDurableStreamWriter? Writer, Switchboard.Core.Streams.StreamBatch? Batch)> LoadStreamsAsync(IReadOnlyList<SessionWrite> writes,
        Func<Switchboard.Core.Streams.IDurableStreamWriter>? streamsOf, DateTimeOffset now)
    {
        List<Switchboard.Core.Streams.StreamWrite>? streamWrites = null;
        foreach (var write in writes)
        {
            if (write is WriteSessionStream s)
            {
                (streamWrites ??= []).Add(s.Stream);
            }
        }

        if (streamWrites is null)
        {
            return (null, null);
        }

        var writer = (streamsOf ?? throw new InvalidOperationException("This store's write transaction has no stream primitives."))();
        return (writer, await Switchboard.Core.Streams.StreamWriteProcessor.LoadAsync(writer, streamWrites, now, CancellationToken.None));
    }

    private static async Task<IReadOnlyList<SessionWrite>> DedupeAsync(IStoreTransaction transaction, IReadOnlyList<SessionWrite> writes, DateTimeOffset now)
    {
        var keys = TelemetryDedupe.Keys(writes);
        return keys.Count == 0 ? writes : TelemetryDedupe.Keep(writes, await transaction.InsertTelemetryKeysAsync(keys, now));
    }

    private static async Task<IReadOnlyList<SessionWrite>> ResolveStreamsAsync(IStoreTransaction transaction, IReadOnlyList<SessionWrite> writes, DateTimeOffset now)
    {
        var ids = MetricSeries.Ids(writes);
        if (ids.Count == 0)
        {
            return writes;
        }

        var (resolved, after) = MetricSeries.Resolve(writes, await transaction.ReadMetricStreamsAsync(ids));
        if (after.Count > 0)
        {
            await transaction.WriteMetricStreamsAsync(after, now);
        }

        return resolved;
    }

    /// <summary>
    /// Records the batch's spans that may start an agent and takes the waits for them; looks each parent span the batch's
    /// sessions wait for up among the owners, recording a wait where none is found (<see cref="TelemetryLinks"/>).
    /// </summary>
    private async Task<IReadOnlyList<SessionWrite>> LinkSpansAsync(IStoreTransaction transaction, IReadOnlyList<SessionWrite> writes, DateTimeOffset now,
        SpanLinkCache.Changes learned)
    {
        var spans = TelemetryLinks.Spans(writes);
        var waits = TelemetryLinks.Waits(writes, _links);
        if (spans.Count == 0 && waits.Count == 0)
        {
            return writes;
        }

        List<(string Child, string Parent)> found = [];
        if (spans.Count > 0)
        {
            await transaction.WriteSpanOwnersAsync(spans, now);
            var owners = spans.ToDictionary(s => s.Span, s => s.Session, StringComparer.Ordinal);
            foreach (var (span, child) in await transaction.TakeWaitsAsync(owners.Keys))
            {
                found.Add((child, owners[span]));
            }
        }

        if (waits.Count > 0)
        {
            // The window is one rule for every store, whenever its purge runs: an owner older than it links nothing.
            var owners = await transaction.ReadSpanOwnersAsync(waits.Select(w => w.Parent).Distinct(StringComparer.Ordinal).ToList(),
                now - TelemetryDedupe.Window);
            List<(string Span, string Child)>? missing = null;
            foreach (var (parent, child) in waits)
            {
                if (owners.TryGetValue(parent, out var owner))
                {
                    found.Add((child, owner));
                }
                else
                {
                    (missing ??= []).Add((parent, child));
                }

                learned.Waits.Add((parent, child));
            }

            if (missing is not null)
            {
                await transaction.WriteWaitsAsync(missing, now);
            }
        }

        return TelemetryLinks.WithAdoptions(writes, found);
    }

    /// <summary>
    /// What is decided on the rows of the writes' targets (and parents), before any side effect: a scoped write whose session
    /// is outside its scope is refused; telemetry and hooks for an ended session move to its continuation (found, or made
    /// by the write: <see cref="TelemetryContinuation"/>), which the scope then judges the same way; and scoped telemetry
    /// after another key's write to its session in this commit waits for the next one (<see cref="WriteBatch.Deferred"/>).
    /// </summary>
    private static async Task<IReadOnlyList<SessionWrite>> DecideAsync(IReadOnlyList<SessionWrite> writes, SessionRows rows)
    {
        var scoped = WriteBatch.AnyScoped(writes);
        if (scoped)
        {
            writes = WriteBatch.Refused(writes, rows.Read);
        }

        if (TelemetryContinuation.Candidates(writes, rows.Read) is { Count: > 0 } candidates)
        {
            await rows.LockAsync(candidates);
            writes = TelemetryContinuation.Redirect(writes, rows.Read);
            if (scoped)
            {
                writes = WriteBatch.Refused(writes, rows.Read);
            }
        }

        return scoped ? WriteBatch.Deferred(writes) : writes;
    }

    private async Task<UsageRollup?> RollUpAsync(IStoreTransaction transaction, WriteBatch batch)
    {
        if (!usage.Enabled || batch.Changes.Count == 0)
        {
            return null;
        }

        var pairs = UsageRollup.ActiveKeys(batch.Changes, usage.GroupBy);
        var active = pairs.Count == 0 ? new Dictionary<(string, string), long>() : await transaction.ReadActiveCountsAsync(pairs);
        return UsageRollup.Compute(batch.Changes, usage.GroupBy, active);
    }

    /// <summary>A committed batch and the results of the writes that were submitted (not the adoptions the links added).</summary>
    public sealed record Outcome(WriteBatch Batch, WriteResult[] Results);
}
