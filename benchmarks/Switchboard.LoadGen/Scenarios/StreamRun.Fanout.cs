using System.Text;
using Switchboard.LoadGen.Measure;

namespace Switchboard.LoadGen.Scenarios;

internal sealed partial class StreamRun
{
    /// <summary>
    /// 1,000 SSE readers join an empty stream from its start; <see cref="Appenders"/> writers then append 1 KiB chunks,
    /// one in flight each, for the window. Delivered bytes/s counts what every reader received (the data events' payload) over the time
    /// from the first append until the last reader has the last byte.
    /// </summary>
    private async Task<StreamFanoutResult> MeasureFanoutAsync(StreamServer server)
    {
        const string stream = "bench/fanout";
        await server.CreateAsync(stream);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(_ => new SseReader()).ToArray();
        var reading = readers.Select(r => Task.Run(() => r.FollowAsync(server, stream, stop.Token))).ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (readers.Any(r => !r.Connected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var connected = readers.Count(r => r.Connected);
        var chunk = Encoding.ASCII.GetBytes(new string('f', ChunkBytes));
        long appended = 0;
        async Task AppendAsync(TimeSpan duration)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Appenders).Select(_ => Task.Run(async () =>
            {
                while (clock.Elapsed < duration)
                {
                    using var request = server.Append(stream, chunk);
                    using var response = await server.Http.SendAsync(request);
                    response.EnsureSuccessStatusCode();
                    Interlocked.Add(ref appended, chunk.Length);
                }
            })));
        }

        async Task CaughtUpAsync()
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (readers.Any(r => r.Bytes < Interlocked.Read(ref appended)) && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }
        }

        var (warm, tiering) = await TieredWarmUp.RunAsync(server.Pid, WarmUpLimit, async step =>
        {
            await AppendAsync(step);
            await CaughtUpAsync();
        });
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: fan-out warmed up in {warm.TotalSeconds:F0} s (tiered compilation {tiering:F2} s of CPU)");

        // The window: what is appended from here, until every reader has it.
        var before = readers.Select(r => r.Bytes).ToArray();
        var from = appended;
        var window = Window.Start(server.Pid);
        await AppendAsync(options.StreamDuration);
        await CaughtUpAsync();
        var (seconds, cpu) = window.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(reading);
        var got = readers.Select((r, i) => r.Bytes - before[i]).ToArray();
        var result = new StreamFanoutResult(connected, appended - from, got.Min(), got.Max(), got.Sum(), seconds, cpu, readers.Sum(r => r.Reconnects));
        log.WriteLine($"[{DateTime.Now:HH:mm:ss}] streams {server.Name}: {connected:N0} SSE readers, {result.Appended / 1e6:F1} MB appended, " +
            $"{result.DeliveredBytesPerSecond / 1e6:F1} MB/s delivered, each reader {result.FewestBytes:N0}–{result.MostBytes:N0} of {result.Appended:N0} bytes, " +
            $"{cpu:F1} s server CPU, {result.Reconnects} reconnects");
        return result;
    }

    /// <summary>One SSE reader: the payload bytes of its data events, reconnecting from the last control's offset.</summary>
    private sealed class SseReader
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public bool Connected { get; private set; }

        public int Reconnects { get; private set; }

        public async Task FollowAsync(StreamServer server, string stream, CancellationToken stopping)
        {
            var offset = "-1";
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    using var response = await server.Http.GetAsync($"{server.Url(stream)}?offset={Uri.EscapeDataString(offset)}&live=sse",
                        HttpCompletionOption.ResponseHeadersRead, stopping);
                    response.EnsureSuccessStatusCode();
                    Connected = true;
                    using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(stopping), Encoding.UTF8);
                    var kind = "";
                    while (await lines.ReadLineAsync(stopping) is { } line)
                    {
                        if (line.StartsWith("event:", StringComparison.Ordinal))
                        {
                            kind = line[6..].Trim();
                        }
                        else if (line.StartsWith("data:", StringComparison.Ordinal))
                        {
                            var data = line.AsSpan(5);
                            data = data.StartsWith(" ") ? data[1..] : data;
                            if (kind == "data")
                            {
                                Interlocked.Add(ref _bytes, Encoding.UTF8.GetByteCount(data));
                            }
                            else if (kind == "control" && NextOffset(data) is { } next)
                            {
                                offset = next;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, CancellationToken.None);
                }

                Reconnects++;
            }
        }

        private static string? NextOffset(ReadOnlySpan<char> control)
        {
            const string Key = "\"streamNextOffset\":\"";
            var at = control.IndexOf(Key);
            if (at < 0)
            {
                return null;
            }

            var rest = control[(at + Key.Length)..];
            return rest[..rest.IndexOf('"')].ToString();
        }
    }
}

/// <summary>What the Durable Streams run measured on each server.</summary>
internal sealed record StreamResults(IReadOnlyList<StreamSystemResult> Systems)
{
    public bool Complete => Systems.All(s => s.Appends.Complete && s.Fanout.Complete && s.CatchUp.Complete);
}

internal sealed record StreamSystemResult(StreamSystem System, StreamAppendResult Appends, StreamFanoutResult Fanout, StreamCatchUpResult CatchUp);

internal sealed record StreamAppendResult(long Acknowledged, long Refused, double Seconds, double CpuSeconds, long BytesAcknowledged, long BytesReadBack)
{
    public double AppendsPerSecond => Acknowledged / Seconds;

    public double CpuMicrosPerAppend => CpuSeconds * 1e6 / Math.Max(1, Acknowledged);

    /// <summary>Every acknowledged byte read back, none twice.</summary>
    public bool Complete => BytesAcknowledged == BytesReadBack;
}

internal sealed record StreamFanoutResult(int Readers, long Appended, long FewestBytes, long MostBytes, long TotalBytes, double Seconds, double CpuSeconds, int Reconnects)
{
    public double DeliveredBytesPerSecond => TotalBytes / Seconds;

    /// <summary>Every reader connected and got every byte, none twice.</summary>
    public bool Complete => Readers == StreamRun.Readers && FewestBytes == Appended && MostBytes == Appended;
}

internal sealed record StreamCatchUpResult(long Written, long Read, int Requests, double Seconds, double CpuSeconds)
{
    public double MegabytesPerSecond => Read / 1e6 / Seconds;

    public bool Complete => Read == Written;
}
