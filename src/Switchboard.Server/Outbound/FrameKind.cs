namespace Switchboard.Server.Outbound;

/// <summary>What a queued frame carries; decides how slow consumers treat it.</summary>
internal enum FrameKind : byte
{
    /// <summary>A logged event: never dropped.</summary>
    Event,
    /// <summary>
    /// A derived frame outside the log (the fleet summary): while it waits, a newer one for the same topic replaces it.
    /// </summary>
    Replaceable,
    /// <summary>A reply or server push to one connection.</summary>
    Reply,
    /// <summary>A presence state or diff: delivered live, never held while a join is pending (the joiner gets a full state).</summary>
    Presence,
    /// <summary>A transport control frame (e.g. WebSocket close); written as-is and ends the stream.</summary>
    Close,
}
