namespace Switchboard.Server.Streams;

/// <summary>The protocol's header names, as Switchboard sends them (HTTP header names are case-insensitive).</summary>
internal static class StreamHeaders
{
    public const string NextOffset = "Stream-Next-Offset";
    public const string Cursor = "Stream-Cursor";
    public const string UpToDate = "Stream-Up-To-Date";
    public const string Closed = "Stream-Closed";
    public const string Ttl = "Stream-TTL";
    public const string ExpiresAt = "Stream-Expires-At";
    public const string Seq = "Stream-Seq";
    public const string ForkedFrom = "Stream-Forked-From";
    public const string ForkOffset = "Stream-Fork-Offset";
    public const string ForkSubOffset = "Stream-Fork-Sub-Offset";
    public const string SseDataEncoding = "Stream-SSE-Data-Encoding";
    public const string ProducerId = "Producer-Id";
    public const string ProducerEpoch = "Producer-Epoch";
    public const string ProducerSeq = "Producer-Seq";
    public const string ProducerExpectedSeq = "Producer-Expected-Seq";
    public const string ProducerReceivedSeq = "Producer-Received-Seq";

    /// <summary>What a browser page may send (the preflight's answer).</summary>
    public static readonly string AllowedRequestHeaders = string.Join(", ",
        "Authorization", "Content-Type", "If-None-Match", Ttl, ExpiresAt, Closed, Seq, ForkedFrom, ForkOffset, ForkSubOffset,
        ProducerId, ProducerEpoch, ProducerSeq);

    /// <summary>What a browser page may read of a response.</summary>
    public static readonly string ExposedResponseHeaders = string.Join(", ",
        NextOffset, Cursor, UpToDate, Closed, Ttl, ExpiresAt, SseDataEncoding, ProducerEpoch, ProducerSeq, ProducerExpectedSeq,
        ProducerReceivedSeq, "ETag", "Location", "Content-Type");
}
