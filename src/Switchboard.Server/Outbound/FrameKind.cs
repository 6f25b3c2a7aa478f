namespace Switchboard.Outbound;

/// <summary>What a queued frame carries; decides how slow consumers treat it.</summary>
internal enum FrameKind : byte
{
    /// <summary>A logged event: never dropped.</summary>
    Event,
    /// <summary>A derived summary: an older pending one for the same topic is replaced by the newer.</summary>
    Summary,
    /// <summary>A reply or server push to one connection.</summary>
    Reply,
    /// <summary>A presence state or diff: delivered live, never held while a join is pending (the joiner gets a full state).</summary>
    Presence,
    /// <summary>A transport control frame (e.g. WebSocket close); written as-is and ends the stream.</summary>
    Close,
}
