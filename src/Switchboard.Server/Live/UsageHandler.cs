namespace Switchboard.Server.Live;

/// <summary>The next <c>usage</c> push may go. One instance.</summary>
internal sealed record UsageDueTick : LiveMessage
{
    public static UsageDueTick Instance { get; } = new();
}

/// <summary>
/// The <c>usage</c> topic: the fan-out hands each applied event to <see cref="Fanout"/>, which holds each
/// subscription's increments; at the end of a pass they are pushed, at most once a second, and a timer brings the loop
/// back for what had to wait.
/// </summary>
internal sealed class UsageHandler : LiveHandler
{
    private readonly LiveState _state;
    private readonly ITimer _timer;
    private bool _armed;

    public UsageHandler(LiveState state, IReadOnlyList<string> groupBy, LiveInbox inbox)
    {
        _state = state;
        Fanout = new UsageFanout(groupBy);
        _timer = state.Time.CreateTimer(static s => ((LiveInbox)s!).TryWrite(UsageDueTick.Instance), inbox, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The increments per subscription, fed by the fan-out as events are applied.</summary>
    public UsageFanout Fanout { get; }

    public override void Register(MessageRoutes routes) => routes.On<UsageDueTick>(_ => _armed = false); // the push itself happens at the end of the pass

    /// <summary>A <c>usage</c> subscription went live at its reply's <c>as_of_seq</c>: what it held after that goes out next.</summary>
    public void Joined(Subscription sub, long asOfSeq) => Fanout.GoLive(sub, asOfSeq);

    public override void EndPass(LivePass pass)
    {
        var projection = _state.Projection;
        if (Fanout.Push(pass.Now, projection.HeadSeq, projection.Epoch, _state.Wake) is { } wait && !_armed)
        {
            _armed = true;
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    public override void Reset() => Fanout.Reset();

    public override ValueTask DisposeAsync() => _timer.DisposeAsync();
}
