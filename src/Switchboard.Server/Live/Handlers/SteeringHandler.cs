using System.Text.Json;
using Switchboard.Approvals;
using Switchboard.Commands;
using Switchboard.Events;

namespace Switchboard.Live;

/// <summary>
/// The steering concern of the live loop: the commands outstanding (pending or delivered) and the approvals pending at
/// the loop's position, which is what a join of the fleet-wide <c>commands</c> and <c>approvals</c> topics gets as its
/// snapshot (docs/commands.md, docs/approvals.md). The fan-out hands it every command and approval event it applies
/// (<see cref="FanoutDispatcher"/>) and delivers the frames itself. Both are written through the write pipeline, and
/// whatever must write (expiry, the producers' long-poll wake-ups, held hooks) runs off the loop, on its own loop, from a
/// <see cref="LiveFeed"/>: this handler only follows the log.
/// </summary>
internal sealed class SteeringHandler(SessionProjection projection) : LiveHandler
{
    private readonly OpenItems<Command> _commands = new(c => c.Id, c => c.IsOutstanding);
    private readonly OpenItems<Approval> _approvals = new(a => a.Id, a => a.IsPending);

    /// <summary>Takes no messages: the topics' joins go through the join handler, their events through the fan-out.</summary>
    public override void Register(MessageRoutes routes)
    {
    }

    public override void Started() => Load();

    public override void Reloaded() => Load();

    /// <summary>The outstanding commands at the loop's position, in the order issued (each with its <c>issued_seq</c>).</summary>
    public List<Command> OutstandingCommands() => [.. _commands.Open().Select(o => o.Item with { IssuedSeq = o.Seq })];

    /// <summary>The pending approvals at the loop's position, in the order asked.</summary>
    public List<Approval> PendingApprovals() => [.. _approvals.Open().Select(o => o.Item)];

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
    /// Items still open, by id, each with the seq of the event that raised it (what orders them: later events about an
    /// item keep its place).
    /// </summary>
    private sealed class OpenItems<T>(Func<T, string> idOf, Func<T, bool> isOpen)
    {
        private readonly Dictionary<string, (T Item, long Seq)> _open = new(StringComparer.Ordinal);

        public IEnumerable<(T Item, long Seq)> Open() => _open.Values.OrderBy(o => o.Seq);

        public void Applied(T item, long seq)
        {
            var id = idOf(item);
            if (!isOpen(item))
            {
                _open.Remove(id);
                return;
            }

            _open[id] = (item, _open.TryGetValue(id, out var known) ? known.Seq : seq);
        }

        public void Load(IEnumerable<(T Item, long Seq)> loaded)
        {
            _open.Clear();
            foreach (var (item, seq) in loaded)
            {
                _open[idOf(item)] = (item, seq);
            }
        }
    }
}
