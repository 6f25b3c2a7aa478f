using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Events;

/// <summary>Derives a session's state after an event, for events that arrive without <see cref="EventRecord.Session"/>.</summary>
internal static class SessionEventApplier
{
    /// <summary>
    /// The session after <paramref name="e"/>. Returns null when an update arrives for a session
    /// <paramref name="before"/> does not hold (the caller then reloads it from the store).
    /// </summary>
    public static Session? Apply(Session? before, EventRecord e)
    {
        if (e.Session is not null)
        {
            return e.Session;
        }

        using var doc = JsonDocument.Parse(e.Data);
        var data = doc.RootElement;
        return e.Type switch
        {
            EventTypes.SessionCreated or EventTypes.SessionTerminated =>
                SessionJson.Read(data.GetProperty("session")) with
                {
                    CreatedSeq = before?.CreatedSeq ?? e.Seq,
                    TreePath = e.TreePath ?? before?.TreePath ?? Switchboard.Core.Trees.TreePath.Of(e.SessionId!, null),
                },
            EventTypes.SessionUpdated when before is not null =>
                SessionChanges.Apply(before, data.GetProperty("changes"), data.GetProperty("version").GetInt64()) with
                {
                    TreePath = e.TreePath ?? before.TreePath, // moved by an adoption: the path is the event's column, not a wire field
                },
            _ => null,
        };
    }

    /// <summary>The flag carried by a <c>fleet_updated</c> event.</summary>
    public static bool ReadFleetPaused(EventRecord e)
    {
        using var doc = JsonDocument.Parse(e.Data);
        return doc.RootElement.GetProperty("is_paused").GetBoolean();
    }
}
