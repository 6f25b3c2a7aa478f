using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The one way every sweep of due rows runs (expired leases, requests past their expiry or whose holder is gone): find
/// a batch of due rows, submit one write each in one batch, log each that moved, and go on while full batches keep
/// moving. Each write re-checks its row inside the store transaction, so a write that lands first (a heartbeat, an
/// answer) wins, and several nodes sweeping write each end once.
/// </summary>
internal static class DueSweep
{
    /// <summary>Rows per batch.</summary>
    public const int Batch = 500;

    /// <summary>Sweeps until nothing is due; how many rows moved.</summary>
    public static async Task<int> RunAsync<T>(WriteIntake writer, Func<int, CancellationToken, Task<IReadOnlyList<T>>> findDue, Func<T, SessionWrite> write,
        Action<T> moved, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var due = await findDue(Batch, cancellationToken);
            if (due.Count == 0)
            {
                return total;
            }

            var results = await writer.WriteManyAsync([.. due.Select(write)], cancellationToken);
            var count = 0;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Event is not null)
                {
                    count++;
                    moved(due[i]);
                }
            }

            total += count;
            if (count == 0 || due.Count < Batch)
            {
                return total;
            }
        }
    }
}
