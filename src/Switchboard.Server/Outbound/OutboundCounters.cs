namespace Switchboard.Server.Outbound;

/// <summary>
/// Process-wide totals bumped on the transport hot path with one interlocked add (per socket write, not per frame),
/// so they cost nothing per subscriber. <see cref="SwitchboardMetrics"/> publishes them as observable counters.
/// </summary>
internal static class OutboundCounters
{
    private static long s_bytesSent;
    private static long s_writes;
    private static long s_slowConsumerDisconnects;
    private static long s_conflations;

    /// <summary>Bytes written to stream connections (WebSocket frames, SSE records).</summary>
    public static long BytesSent => Interlocked.Read(ref s_bytesSent);

    /// <summary>Socket writes (each carries every frame that was pending for that connection).</summary>
    public static long Writes => Interlocked.Read(ref s_writes);

    /// <summary>Connections cut off because their send queue hit its cap.</summary>
    public static long SlowConsumerDisconnects => Interlocked.Read(ref s_slowConsumerDisconnects);

    /// <summary>Pending summaries replaced by a newer one for a connection that fell behind.</summary>
    public static long Conflations => Interlocked.Read(ref s_conflations);

    public static void Wrote(int bytes)
    {
        Interlocked.Add(ref s_bytesSent, bytes);
        Interlocked.Increment(ref s_writes);
    }

    public static void SlowConsumerDisconnected() => Interlocked.Increment(ref s_slowConsumerDisconnects);

    public static void Conflated() => Interlocked.Increment(ref s_conflations);
}
