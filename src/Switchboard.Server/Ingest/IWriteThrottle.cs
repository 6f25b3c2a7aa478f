namespace Switchboard.Ingest;

/// <summary>
/// Tells the write pipeline when committing more would outrun the live path: writes wait while the node has more
/// committed events to fan out than it can deliver promptly (admission control).
/// </summary>
internal interface IWriteThrottle
{
    /// <summary>Completes when writes may commit again.</summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);
}
