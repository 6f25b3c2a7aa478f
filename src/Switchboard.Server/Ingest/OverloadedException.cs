using Switchboard.Core.Storage;

namespace Switchboard.Server.Ingest;

/// <summary>
/// The node fans events out slower than they are written, and this write waited for admission longer than
/// <see cref="SocketOptions.WriteWaitTimeout"/>. Nothing was written; retry after <see cref="RetryAfter"/>.
/// HTTP answers it with 503 and <c>Retry-After</c>.
/// </summary>
public sealed class OverloadedException(TimeSpan waited)
    : StoreUnavailableException(
        $"This node is delivering events to its subscribers slower than they are written, and the write waited {waited.TotalSeconds:0.#} s " +
        "without being admitted. Nothing was written; retry after 1 s or write through another node.")
{
    /// <summary>When to retry.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);
}
