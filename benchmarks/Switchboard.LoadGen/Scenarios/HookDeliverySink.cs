using System.Buffers.Text;
using System.Diagnostics;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;

namespace Switchboard.LoadGen.Scenarios;

/// <summary>
/// Times each measured hook's event from the moment its request was sent to its arrival on each dashboard. An agent
/// sends its next hook only once the last was answered, so its events are on the log in the order it sent them: the
/// k-th event of agent a that a dashboard receives in the window belongs to a's k-th sent hook. Counts per dashboard
/// come from <see cref="SeqRangeSink"/>, as in every run that checks completeness.
/// </summary>
internal sealed class HookDeliverySink : IRecordSink
{
    private static readonly byte[] AgentMarker = "bench-"u8.ToArray();

    private readonly SeqRangeSink _counts;
    private readonly long[][] _sent;
    private readonly int[][] _received;
    private readonly LatencyHistogram[] _latencies;
    private long _bytes;

    public HookDeliverySink(int dashboards, int agents, int hooksPerAgent)
    {
        _counts = new SeqRangeSink(dashboards);
        _sent = [.. Enumerable.Range(0, agents).Select(_ => new long[hooksPerAgent])];
        _received = [.. Enumerable.Range(0, dashboards).Select(_ => new int[agents])];
        _latencies = [.. Enumerable.Range(0, dashboards).Select(_ => new LatencyHistogram())];
    }

    public long From { get => _counts.From; set => _counts.From = value; }

    public long To { get => _counts.To; set => _counts.To = value; }

    public long Fewest => _counts.Fewest;

    public long Most => _counts.Most;

    /// <summary>The mean size of a counted event's message as a dashboard received it (the WebSocket payload, frame header left out).</summary>
    public double BytesPerMessage => (double)Interlocked.Read(ref _bytes) / Math.Max(1, _counts.Counted);

    /// <summary>Agent <paramref name="agent"/> is about to send its <paramref name="hook"/>-th measured hook (from 0).</summary>
    public void Sending(int agent, int hook)
    {
        if (hook < _sent[agent].Length)
        {
            Volatile.Write(ref _sent[agent][hook], Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Every dashboard's deliveries in one histogram, in microseconds.</summary>
    public LatencyHistogram Latencies()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in _latencies)
        {
            all.Add(histogram);
        }

        return all;
    }

    public void OnRecord(ReadOnlySpan<byte> record, RecordKind kind, long timestamp, int client)
    {
        if (!_counts.Count(record, kind, client))
        {
            return;
        }

        Interlocked.Add(ref _bytes, record.Length);

        var marker = record.IndexOf(AgentMarker);
        if (marker < 0 || !Utf8Parser.TryParse(record[(marker + AgentMarker.Length)..], out int agent, out _) || agent >= _sent.Length)
        {
            return;
        }

        // One dashboard's records arrive on one thread (IRecordSink), so its counters and histogram need no lock.
        var hook = _received[client][agent]++;
        if (hook < _sent[agent].Length && Volatile.Read(ref _sent[agent][hook]) is var sent and > 0)
        {
            _latencies[client].Record((long)Stopwatch.GetElapsedTime(sent, timestamp).TotalMicroseconds);
        }
    }
}
