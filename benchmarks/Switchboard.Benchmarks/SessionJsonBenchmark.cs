using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchboard.Core.Events;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;

namespace Switchboard.Benchmarks;

/// <summary>
/// What every event costs before fan-out: writing a session (<c>session_created</c>, snapshots), deciding whether an
/// update changed anything visible and whether only usage moved, and writing its <c>changes</c>. None of these may
/// allocate: the writer and buffer are reused, as the event encoder reuses them.
/// </summary>
[MemoryDiagnoser]
public class SessionJsonBenchmark
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter _writer = null!;
    private Session _before = null!;
    private Session _usage = null!;
    private Session _renamed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 5, 1, 12, 0, 0, 123, TimeSpan.Zero);
        _before = new Session
        {
            Id = "bench-1", Name = "agent", State = SessionState.Working, Labels = new Dictionary<string, string> { ["team"] = "core" },
            Metadata = """{"model":"m1"}""", InputTokens = 100, OutputTokens = 50, CostUsd = 0.25m, TasksRunning = 2,
            LeaseSeconds = 60, CreatedAt = now, UpdatedAt = now, Version = 3, CreatedSeq = 1,
        };
        _usage = _before with { InputTokens = 120, CostUsd = 0.3m, UpdatedAt = now.AddSeconds(1), Version = 4 };
        _renamed = _before with { Name = "renamed", UpdatedAt = now.AddSeconds(1), Version = 4 };
        _writer = new Utf8JsonWriter(_buffer);
    }

    [Benchmark]
    public int WriteSession()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        SessionJson.Write(_writer, _before);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteChanges()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        SessionChanges.Write(_writer, _before, _usage);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int DifferAndMask() =>
        (SessionChanges.Differ(_before, _usage) ? 1 : 0) + SessionChanges.UsageOnlyMask(_before, _usage) + SessionChanges.UsageOnlyMask(_before, _renamed);
}
