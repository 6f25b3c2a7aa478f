using System.Text.Json;
using Switchboard.Commands;
using Switchboard.Events;

namespace Switchboard.Live;

/// <summary>
/// The commands concern of the live loop (docs/commands.md): the commands outstanding (pending or delivered) at the
/// loop's position, which is what a join of the fleet-wide <c>commands</c> topic gets as its snapshot. The fan-out hands
/// it every command event it applies (<see cref="FanoutDispatcher"/>) and delivers the frames itself. Commands are
/// written through the write pipeline, and whatever must write (expiry, the producers' long-poll wake-ups) runs off the
/// loop, on its own loop, from a <see cref="LiveFeed"/>: this handler only follows the log.
/// </summary>
internal sealed class CommandHandler(SessionProjection projection) : LiveHandler
{
    private readonly Dictionary<string, Command> _outstanding = new(StringComparer.Ordinal);

    /// <summary>Takes no messages: the topic's joins go through the join handler, its events through the fan-out.</summary>
    public override void Register(MessageRoutes routes)
    {
    }

    public override void Started() => Load();

    public override void Reloaded() => Load();

    /// <summary>The outstanding commands at the loop's position, in the order issued.</summary>
    public List<Command> Outstanding() => [.. _outstanding.Values.OrderBy(c => c.IssuedSeq)];

    /// <summary>A command event was applied: the command after it is outstanding, or no longer.</summary>
    public void Applied(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        var command = CommandJson.Read(doc.RootElement.GetProperty("command"));
        if (command.IsOutstanding)
        {
            // Issued events carry the seq that orders them; later ones keep the order the command was issued in.
            _outstanding[command.Id] = e.Type == EventTypes.CommandIssued ? command with { IssuedSeq = e.Seq }
                : _outstanding.TryGetValue(command.Id, out var known) ? command with { IssuedSeq = known.IssuedSeq } : command with { IssuedSeq = e.Seq };
        }
        else
        {
            _outstanding.Remove(command.Id);
        }
    }

    private void Load()
    {
        _outstanding.Clear();
        foreach (var c in projection.LoadedCommands)
        {
            _outstanding[c.Id] = c;
        }
    }
}
