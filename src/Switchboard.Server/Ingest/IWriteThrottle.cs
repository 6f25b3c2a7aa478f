namespace Switchboard.Server.Ingest;

/// <summary>
/// Tells the group commit when committing more would outrun the live path: writes wait while the node has more
/// committed events to fan out than it can deliver promptly (admission control).
/// </summary>
internal interface IWriteThrottle
{
    /// <summary>Completes when writes may commit again.</summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Once there is room, how many writes the next commit may take: what fits the live path's budget at its recent pace,
    /// so that room opening does not let every waiting writer in at once. At least 1.
    /// </summary>
    int Room => int.MaxValue;

    /// <summary>Completes once the live path has fanned out the log up to <paramref name="seq"/>.</summary>
    Task WhenFannedOutAsync(long seq) => Task.CompletedTask;
}
