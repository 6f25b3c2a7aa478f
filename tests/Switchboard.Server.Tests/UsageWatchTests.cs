using Switchboard.Core.UsageRollups;
using Switchboard.Server.Live.Usage;

namespace Switchboard.Server.Tests;

/// <summary>
/// A <c>usage</c> subscription's increments while its join is answered and after: only events after the reply's
/// <c>as_of_seq</c> count, only its own rows, updates continue one another, and too much to hold ends it instead of a gap.
/// </summary>
public sealed class UsageWatchTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static UsageKey Team(string value, UsageBucket bucket = UsageBucket.Hour) => new(bucket, Hour, "team", value);

    private static UsageCounters Tokens(long n) => new() { InputTokens = n, PeakActive = n };

    [Fact]
    public void IncrementsHeldDuringTheJoinCountOnlyAfterTheRepliesSeqAndUpdatesContinueOneAnother()
    {
        var watch = new UsageWatch(new UsageQuery { Bucket = UsageBucket.Hour, GroupKey = "team", GroupValues = ["red"], Since = Hour });
        watch.Wants(Team("red")).ShouldBeTrue();
        watch.Wants(Team("blue")).ShouldBeFalse();
        watch.Wants(Team("red", UsageBucket.Minute)).ShouldBeFalse();
        watch.Wants(new UsageKey(UsageBucket.Hour, Hour.AddHours(-1), "team", "red")).ShouldBeFalse("before the range's start");

        // Held while pending: seqs 5..7; the reply was read at as_of_seq 6.
        watch.Add(5, Team("red"), Tokens(1), maxHeld: 10).ShouldBeFalse();
        watch.Add(6, Team("red"), Tokens(2), maxHeld: 10).ShouldBeFalse();
        watch.Add(7, Team("red"), Tokens(4), maxHeld: 10).ShouldBeFalse();
        watch.GoLive(asOfSeq: 6).ShouldBeTrue();
        var first = watch.Take(headSeq: 7, out var from, out var seq);
        (from, seq).ShouldBe((6L, 7L));
        first.ShouldHaveSingleItem().Counters.InputTokens.ShouldBe(4);

        // Live: an event the store had already counted (the loop lagged behind the read) is skipped.
        watch.Add(6, Team("red"), Tokens(100), maxHeld: 10).ShouldBeFalse();
        watch.IsDirty.ShouldBeFalse();
        watch.Add(8, Team("red"), Tokens(8), maxHeld: 10).ShouldBeTrue();
        watch.Add(9, Team("red"), Tokens(16), maxHeld: 10).ShouldBeFalse("already has something to push");
        var second = watch.Take(headSeq: 9, out from, out seq);
        (from, seq).ShouldBe((7L, 9L));
        second.ShouldHaveSingleItem().Counters.InputTokens.ShouldBe(24);
        second[0].Counters.PeakActive.ShouldBe(16);
    }

    [Fact]
    public void TooManyIncrementsDuringTheJoinEndTheSubscriptionRatherThanLeaveAGap()
    {
        var watch = new UsageWatch(new UsageQuery { Bucket = UsageBucket.Hour, Since = Hour });
        watch.Add(1, new UsageKey(UsageBucket.Hour, Hour, "", ""), Tokens(1), maxHeld: 2);
        watch.Add(2, new UsageKey(UsageBucket.Hour, Hour, "", ""), Tokens(1), maxHeld: 2);
        watch.Overflowed.ShouldBeFalse();
        watch.Add(3, new UsageKey(UsageBucket.Hour, Hour, "", ""), Tokens(1), maxHeld: 2);
        watch.Overflowed.ShouldBeTrue();
        watch.GoLive(asOfSeq: 0).ShouldBeFalse();
        watch.Add(4, new UsageKey(UsageBucket.Hour, Hour, "", ""), Tokens(1), maxHeld: 2).ShouldBeFalse();
        watch.IsDirty.ShouldBeFalse();
    }
}
