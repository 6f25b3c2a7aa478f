using System.Text.Json;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Events;

/// <summary>Builds the <c>data</c> object of each logged event type.</summary>
internal static class EventData
{
    /// <summary><c>{session, active_count, ancestors?, subtree_delta?}</c>.</summary>
    public static byte[] Created(Session session, long activeCount, SubtreeTotals delta = default) => Build(w =>
    {
        w.WritePropertyName("session");
        SessionJson.Write(w, session);
        w.WriteNumber("active_count", activeCount);
        TreeEventData.Write(w, session, delta);
    });

    /// <summary><c>{session, reason, active_count, ancestors?, subtree_delta?}</c>.</summary>
    public static byte[] Terminated(Session session, string reason, long activeCount, SubtreeTotals delta = default) => Build(w =>
    {
        w.WritePropertyName("session");
        SessionJson.Write(w, session);
        w.WriteString("reason", reason);
        w.WriteNumber("active_count", activeCount);
        TreeEventData.Write(w, session, delta);
    });

    /// <summary>
    /// <c>{changes, previous_state?, version, reason?, session?, ancestors?, subtree_delta?}</c>; changes hold only the
    /// fields that differ (and the stamps). <paramref name="whole"/> adds the whole session after the change: a move
    /// brings the session into subtrees whose subscribers never held it.
    /// </summary>
    public static byte[] Updated(Session before, Session after, string? reason, SubtreeTotals delta = default, bool whole = false) => Build(w =>
    {
        w.WritePropertyName("changes");
        SessionChanges.Write(w, before, after);
        if (before.State != after.State)
        {
            w.WriteString("previous_state", before.State.ToWire());
        }

        w.WriteNumber("version", after.Version);
        if (reason is not null)
        {
            w.WriteString("reason", reason);
        }

        if (whole)
        {
            w.WritePropertyName("session");
            SessionJson.Write(w, after);
        }

        TreeEventData.Write(w, after, delta);
    });

    /// <summary><c>{is_paused}</c>.</summary>
    public static byte[] Fleet(bool paused) => Build(w => w.WriteBoolean("is_paused", paused));

    /// <summary>An object holding what <paramref name="body"/> writes.</summary>
    private static byte[] Build(Action<Utf8JsonWriter> body) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
    });
}
