namespace Switchboard.Server.Transports;

/// <summary>A live connection of any transport, as the registry sees it.</summary>
internal interface IStreamConnection
{
    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the last inbound message (or poll).</summary>
    long LastActivity { get; }

    /// <summary>Closes politely: WebSocket sends a close frame with <paramref name="code"/>; others just end.</summary>
    void Close(ushort code, string reason);

    /// <summary>Drops the connection at once.</summary>
    void Abort(string reason);

    /// <summary>Its outbound frames (for the queued-bytes gauge).</summary>
    Switchboard.Server.Outbound.SendQueue Queue { get; }
}
