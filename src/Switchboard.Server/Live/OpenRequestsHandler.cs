using System.Buffers;
using System.Text.Json;
using Switchboard.Core.Approvals;
using Switchboard.Core.Commands;
using Switchboard.Core.Events;
using Switchboard.Core.Json;

namespace Switchboard.Server.Live;

/// <summary>
/// The requests to sessions open at the live loop's position: the commands outstanding (pending or delivered) and the
/// approvals pending, which is what a join of the fleet-wide <c>commands</c> and <c>approvals</c> topics gets as its
/// snapshot (docs/commands.md, docs/approvals.md); one list per kind of request. The fan-out hands it every command and
/// approval event it applies (<see cref="FanoutDispatcher"/>) and delivers the frames itself. Both are written through
/// the group commit, and
/// whatever must write (expiry, the producers' long-poll wake-ups, held hooks) runs off the loop, on its own loop, from a
/// <see cref="LiveFeed"/>: this handler only follows the log.
/// </summary>
internal sealed class OpenRequestsHandler(SessionProjection projection) : LiveHandler
{
    private readonly OpenItems<Command> _commands = new(c => c.Id, c => c.IsOutstanding);
    private readonly OpenItems<Approval> _approvals = new(a => a.Id, a => a.IsPending);

    /// <summary>Takes no messages: the topics' joins go through the join handler, their events through the fan-out.</summary>
    public override void Register(MessageRoutes routes)
    {
    }

    public override void Started() => Load();

    public override void Reloaded() => Load();

    /// <summary>The outstanding commands at the loop's position, in the order issued, as a snapshot of at most <paramref name="maxBytes"/>.</summary>
    public ListSnapshot OutstandingCommands(long maxBytes) => _commands.Snapshot((w, c) => CommandJson.Write(w, c), maxBytes);

    /// <summary>The pending approvals at the loop's position, in the order asked, as a snapshot of at most <paramref name="maxBytes"/>.</summary>
    public ListSnapshot PendingApprovals(long maxBytes) => _approvals.Snapshot((w, a) => ApprovalJson.Write(w, a), maxBytes);

    /// <summary>A command event was applied: the command after it is outstanding, or no longer.</summary>
    public void CommandApplied(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        _commands.Applied(CommandJson.Read(doc.RootElement.GetProperty("command")), e.Seq);
    }

    /// <summary>An approval event was applied: the approval after it is pending, or no longer.</summary>
    public void ApprovalApplied(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        _approvals.Applied(ApprovalJson.Read(doc.RootElement.GetProperty("approval")), e.Seq);
    }

    private void Load()
    {
        _commands.Load(projection.LoadedCommands.Select(c => (c, c.IssuedSeq)));
        _approvals.Load(projection.LoadedApprovals.Select(a => (a, a.RequestedSeq)));
    }

    /// <summary>
    /// Items still open, kept in the order of the event that raised each (later events about an item keep its place), so
    /// a snapshot reads them in order without sorting.
    /// </summary>
    private sealed class OpenItems<T>(Func<T, string> idOf, Func<T, bool> isOpen)
    {
        private readonly SortedDictionary<long, T> _bySeq = [];
        private readonly Dictionary<string, long> _seqOf = new(StringComparer.Ordinal);

        public void Applied(T item, long seq)
        {
            var id = idOf(item);
            var known = _seqOf.TryGetValue(id, out var raised);
            if (!isOpen(item))
            {
                if (known)
                {
                    _seqOf.Remove(id);
                    _bySeq.Remove(raised);
                }

                return;
            }

            if (!known)
            {
                _seqOf[id] = raised = seq;
            }

            _bySeq[raised] = item;
        }

        public void Load(IEnumerable<(T Item, long Seq)> loaded)
        {
            _bySeq.Clear();
            _seqOf.Clear();
            foreach (var (item, seq) in loaded)
            {
                _seqOf[idOf(item)] = seq;
                _bySeq[seq] = item;
            }
        }

        /// <summary>
        /// The open items oldest first as a JSON array: the first always, then as many as fit in <paramref name="maxBytes"/>
        /// (one hostile fleet of large items never makes a join reply unbounded); <see cref="ListSnapshot.Complete"/> says
        /// whether every one is in it.
        /// </summary>
        public ListSnapshot Snapshot(Action<Utf8JsonWriter, T> write, long maxBytes)
        {
            var page = new ArrayBufferWriter<byte>(256);
            page.Write("["u8);
            long bytes = 0;
            var count = 0;
            foreach (var item in _bySeq.Values)
            {
                var json = JsonBytes.Write(w => write(w, item));
                if (count > 0 && bytes + json.Length > maxBytes)
                {
                    page.Write("]"u8);
                    return new ListSnapshot(page.WrittenMemory, Complete: false);
                }

                if (count++ > 0)
                {
                    page.Write(","u8);
                }

                page.Write(json);
                bytes += json.Length;
            }

            page.Write("]"u8);
            return new ListSnapshot(page.WrittenMemory, Complete: true);
        }
    }
}

/// <summary>A join snapshot's list as its JSON array, and whether every item is in it (false when cut at the byte bound).</summary>
internal sealed record ListSnapshot(ReadOnlyMemory<byte> Json, bool Complete);
