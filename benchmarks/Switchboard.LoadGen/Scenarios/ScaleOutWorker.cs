using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// One subscriber process of the scale-out run (a process may hold only 20,000 open files, so 60,000 subscribers take
/// several). It spreads its connections evenly over the nodes, joins <c>sessions</c> on each, and then serves rounds
/// the coordinator drives over stdin/stdout, one line each way:
/// <list type="bullet">
/// <item><c>round FIRST COUNT</c> → <c>armed</c>: count markers FIRST..FIRST+COUNT-1, each expected once per connection.</item>
/// <item><c>end T1,T2,…</c> (each marker's send time on the machine's monotonic clock) → one JSON line of
/// <see cref="RoundReport"/>, after every receipt arrived or 120 s passed.</item>
/// </list>
/// A connection checks that the <c>seq</c>s it receives only ever increase: "in order" across nodes.
/// </summary>
internal static class ScaleOutWorker
{
    public const string Mode = "--subscriber-worker";

    public static async Task<int> RunAsync(string[] args)
    {
        var nodes = args[1].Split(',').Select(u => new Uri(u)).ToArray();
        var connections = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var sinks = new List<WorkerSink>();
        var pools = new List<SubscriberPool>();
        try
        {
            for (var n = 0; n < nodes.Length; n++)
            {
                var share = connections / nodes.Length + (n < connections % nodes.Length ? 1 : 0);
                var protocol = new PhoenixProtocol();
                var pool = new SubscriberPool(new IPEndPoint(IPAddress.Loopback, nodes[n].Port), protocol);
                pools.Add(pool);
                await pool.GrowToAsync(share, _ => ["sessions"], CancellationToken.None);
                var sink = new WorkerSink(share);
                sinks.Add(sink);
                protocol.Sink = sink;
            }

            Console.WriteLine("ready");
            string? line;
            Round? round = null;
            while ((line = Console.ReadLine()) is not null)
            {
                var parts = line.Split(' ', 3);
                switch (parts[0])
                {
                    case "round":
                        round = new Round(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), connections);
                        foreach (var sink in sinks)
                        {
                            sink.Round = round;
                        }

                        Console.WriteLine("armed");
                        break;
                    case "end":
                        var sent = parts[1].Split(',').Select(t => long.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                        await round!.WaitAsync(TimeSpan.FromSeconds(120));
                        var closes = pools.Sum(p => p.Protocol.UnexpectedCloses);
                        Console.WriteLine(JsonSerializer.Serialize(round.Report(sent, sinks.Sum(s => s.TakeMisplaced()), closes)));
                        break;
                    case "quit":
                        return 0;
                }
            }

            return 0;
        }
        finally
        {
            foreach (var pool in pools)
            {
                await pool.DisposeAsync();
            }
        }
    }

    /// <summary>One worker's share of a round, merged by the coordinator.</summary>
    internal sealed record RoundReport(
        int Connections, long Delivered, long Duplicates, long Strays, long Misplaced, int UnexpectedCloses,
        int[] Counts, long[] LastAt, long[] Buckets, long Max);

    /// <summary>The receipts of one round: per marker, how many arrived and when the last did; each receipt's time.</summary>
    private sealed class Round(long first, int count, int connections)
    {
        private readonly int[] _counts = new int[count];
        private readonly long[] _lastAt = new long[count];
        private readonly ThreadLocal<List<(int Index, long At)>> _receipts = new(() => [], trackAllValues: true);
        private long _delivered;
        private long _duplicates;
        private long _strays;

        public void Receive(long marker, long at)
        {
            var i = marker - first;
            if (i < 0 || i >= count)
            {
                Interlocked.Increment(ref _strays);
                return;
            }

            if (Interlocked.Increment(ref _counts[i]) > connections)
            {
                Interlocked.Increment(ref _duplicates);
            }

            Interlocked.Increment(ref _delivered);
            _receipts.Value!.Add(((int)i, at));
            var last = Volatile.Read(ref _lastAt[i]);
            while (at > last && Interlocked.CompareExchange(ref _lastAt[i], at, last) is var seen && seen != last)
            {
                last = seen;
            }
        }

        public async Task WaitAsync(TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref _delivered) < (long)count * connections && clock.Elapsed < timeout)
            {
                await Task.Delay(20);
            }
        }

        public RoundReport Report(long[] sentAt, long misplaced, int closes)
        {
            var latency = new LatencyHistogram();
            foreach (var list in _receipts.Values)
            {
                foreach (var (i, at) in list)
                {
                    latency.Record((long)((at - sentAt[i]) * 1_000_000.0 / Stopwatch.Frequency));
                }
            }

            return new RoundReport(connections, _delivered, _duplicates, _strays, misplaced, closes, _counts, _lastAt, latency.Buckets(), latency.Max);
        }
    }

    /// <summary>Reads the marker and seq of each record of one node's connections; checks each connection's seqs only increase.</summary>
    private sealed class WorkerSink(int connections) : IRecordSink
    {
        private readonly long[] _lastSeq = new long[connections];
        private long _misplaced;

        public Round? Round { get; set; }

        public long TakeMisplaced() => Interlocked.Exchange(ref _misplaced, 0);

        public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client)
        {
            if (kind != RecordKind.Global || Round is not { } round)
            {
                return;
            }

            var at = record.IndexOf("\"bx\":"u8);
            if (at < 0 || !Utf8Parser.TryParse(record[(at + 5)..], out long marker, out _))
            {
                return;
            }

            var s = record.IndexOf("\"seq\":"u8);
            if (s >= 0 && Utf8Parser.TryParse(record[(s + 6)..], out long seq, out _) && (uint)client < (uint)_lastSeq.Length)
            {
                // One connection's records arrive on one thread, in order.
                if (seq <= _lastSeq[client])
                {
                    Interlocked.Increment(ref _misplaced);
                }

                _lastSeq[client] = seq;
            }

            round.Receive(marker, timestamp);
        }
    }
}
