using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Alerts;

/// <summary>
/// The evaluator's own messages, in a bounded inbox its loop reads (applied events come in its <c>LiveFeed</c>). They
/// are few by construction: a tick and a rule reload are each queued at most once until read, the start's resync once,
/// and one write is in flight at a time. Any thread may post; only the evaluator's loop reads.
/// </summary>
internal sealed class AlertInbox
{
    private readonly Channel<AlertMessage> _channel = Channel.CreateBounded<AlertMessage>(new BoundedChannelOptions(8)
    {
        SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait,
    });

    private int _tickQueued;
    private int _rulesQueued;

    /// <summary>Messages waiting.</summary>
    public int Count => _channel.Reader.Count;

    public Task Completion => _channel.Reader.Completion;

    /// <summary>Never full (see above); a post that fails means the evaluator is stopping.</summary>
    public void Post(AlertMessage message) => _channel.Writer.TryWrite(message);

    /// <summary>A deadline passed (the deadline timer's callback).</summary>
    public void PostTick()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            Post(AlertTick.Instance);
        }
    }

    /// <summary>The rules changed (an API write or the refresh timer).</summary>
    public void PostRulesChanged()
    {
        if (Interlocked.Exchange(ref _rulesQueued, 1) == 0)
        {
            Post(AlertRulesChanged.Instance);
        }
    }

    /// <summary>On the loop. Reading a tick or a reload lets the next one be queued: a change during the reload queues another.</summary>
    public bool TryRead([NotNullWhen(true)] out AlertMessage? message)
    {
        if (!_channel.Reader.TryRead(out message))
        {
            return false;
        }

        if (message is AlertTick)
        {
            Volatile.Write(ref _tickQueued, 0);
        }
        else if (message is AlertRulesChanged)
        {
            Volatile.Write(ref _rulesQueued, 0);
        }

        return true;
    }

    public ValueTask<bool> WaitToReadAsync() => _channel.Reader.WaitToReadAsync();

    public void Complete() => _channel.Writer.TryComplete();
}

internal abstract record AlertMessage;

/// <summary>The armed deadline passed: evaluate everything. One instance.</summary>
internal sealed record AlertTick : AlertMessage
{
    public static AlertTick Instance { get; } = new();
}

/// <summary>Re-read the rules. One instance.</summary>
internal sealed record AlertRulesChanged : AlertMessage
{
    public static AlertRulesChanged Instance { get; } = new();
}

/// <summary>Start again from the live loop's state.</summary>
internal sealed record AlertResync(string Reason) : AlertMessage;

/// <summary>The answer to the evaluator's writes: a result per write, or the error that failed them all.</summary>
internal sealed record AlertWritesDone(List<SessionWrite> Writes, IReadOnlyList<WriteResult>? Results, Exception? Error) : AlertMessage;

/// <summary>Test hook: hold the loop until <see cref="Until"/> completes; <see cref="Held"/> completes once it is held.</summary>
internal sealed record AlertHold(Task Until, TaskCompletionSource Held) : AlertMessage;
