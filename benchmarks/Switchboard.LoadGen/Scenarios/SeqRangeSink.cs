using System.Buffers.Text;
using Switchboard.LoadGen.Clients;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Counts, per subscriber, the session event records whose seq is in (<see cref="From"/>, <see cref="To"/>]. Until
/// <see cref="To"/> is set every later record counts: it is delivered only once the node's head has passed it, and
/// the head read for <see cref="To"/> comes after.
/// </summary>
internal sealed class SeqRangeSink(int clients) : IRecordSink
{
    private readonly long[] _counts = new long[clients];

    public long From { get; set; } = long.MaxValue;

    public long To { get; set; } = long.MaxValue;

    public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client) => Count(record, kind, client);

    /// <summary>Counts <paramref name="record"/> for <paramref name="client"/> if it is a session event in the range; says whether it was.</summary>
    public bool Count(ReadOnlySpan<byte> record, RecordKind kind, int client)
    {
        if (kind != RecordKind.Global)
        {
            return false;
        }

        var at = record.IndexOf("\"seq\":"u8);
        if (at < 0 || !Utf8Parser.TryParse(record[(at + 6)..], out long seq, out _) || seq <= From || seq > To)
        {
            return false;
        }

        Interlocked.Increment(ref _counts[client]);
        return true;
    }

    public long Fewest => _counts.Min();

    public long Most => _counts.Max();

    /// <summary>Records counted over every client.</summary>
    public long Counted => _counts.Sum();
}
