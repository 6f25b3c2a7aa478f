using System.Threading.Channels;
using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Server.Live;

/// <summary>
/// What the live loop applied, for one observer (the alert evaluator), in a bounded inbox the observer owns and reads on
/// its own loop. The live loop is the only writer and only ever writes when there is room: when the feed is full it stops
/// fanning out until the observer catches up, so an observer that falls behind slows the writers (through admission
/// control) instead of growing the heap. No observer code runs on the live loop.
/// </summary>
internal sealed class LiveFeed
{
    private readonly Channel<AppliedEvent> _channel;
    private int _reset;

    public LiveFeed(int capacity)
    {
        Capacity = capacity;
        _channel = Channel.CreateBounded<AppliedEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false, FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Capacity { get; }

    /// <summary>Entries waiting to be read.</summary>
    public int Count => _channel.Reader.Count;

    public ChannelReader<AppliedEvent> Reader => _channel.Reader;

    /// <summary>True once (and until taken) the live loop rebuilt its state: events may have been skipped, so start again.</summary>
    public bool TakeReset() => Interlocked.Exchange(ref _reset, 0) == 1;

    /// <summary>On the loop: whether one more entry fits (the loop is the only writer, so a write after this succeeds).</summary>
    internal bool HasRoom => _channel.Reader.Count < Capacity;

    /// <summary>On the loop: completes once there is room again (continuations run off the loop).</summary>
    internal ValueTask<bool> WaitForRoomAsync() => _channel.Writer.WaitToWriteAsync();

    /// <summary>On the loop, after <see cref="HasRoom"/>.</summary>
    internal void Write(EventRecord e, Session? after, IReadOnlyList<Session>? rolledUp)
    {
        if (!_channel.Writer.TryWrite(new AppliedEvent(e, after, rolledUp)))
        {
            throw new InvalidOperationException("The live feed was written without room.");
        }
    }

    /// <summary>On the loop: the state was rebuilt. The flag is read on the observer's next pass; an empty entry wakes it.</summary>
    internal void MarkReset()
    {
        Volatile.Write(ref _reset, 1);
        _channel.Writer.TryWrite(default);
    }

    internal void Complete() => _channel.Writer.TryComplete();
}

/// <summary>
/// One event the live loop applied: its session after it while still active, and the active ancestors the projection
/// added its <c>subtree</c> delta to (null when none), so an observer holds the projection's sessions without redoing
/// the projection's work. Default: a wake-up only.
/// </summary>
internal readonly record struct AppliedEvent(EventRecord? Event, Session? After, IReadOnlyList<Session>? RolledUp);

/// <summary>The state an observer starts from: everything up to and including <see cref="HeadSeq"/>.</summary>
internal sealed record ObservedState(long HeadSeq, IReadOnlyList<Session> ActiveSessions, IReadOnlyList<Switchboard.Core.Alerts.Alert> OpenAlerts);
