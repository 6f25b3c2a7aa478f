using Npgsql;

namespace Switchboard.Storage.Postgres;

/// <summary>What the store's two listening connections (the event feed and the stream feed) share: backoff and a quiet close.</summary>
internal static class PostgresListening
{
    /// <summary>How long to wait before reconnecting after <paramref name="failures"/> failures in a row.</summary>
    public static TimeSpan ReconnectDelay(PostgresStoreOptions options, int failures)
    {
        var grown = options.MinReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = Math.Min(grown, options.MaxReconnectDelay.TotalMilliseconds);
        // Jitter keeps a fleet of nodes from reconnecting to a restarted server in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    /// <summary>Disposes a connection that may already be broken.</summary>
    public static async Task CloseAsync(NpgsqlConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception ex) when (PostgresErrors.IsStoreFailure(ex))
        {
            // Already broken; nothing left to release.
        }
    }
}
