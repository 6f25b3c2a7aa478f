using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>Idempotent producers: the protocol's validation table, one case each.</summary>
public sealed class ProducerRulesTests
{
    private static readonly ProducerRow AtEpoch2Seq5 = new(1, "p", 2, 5);

    private static ProducerDecision Check(ProducerRow? state, long epoch, long seq) => ProducerRules.Check(state, new ProducerTuple("p", epoch, seq));

    [Fact]
    public void ANewProducerStartsAtSequenceZeroInAnyEpoch()
    {
        Check(null, 0, 0).ShouldBe(ProducerDecision.Accept(0, 0));
        Check(null, 7, 0).ShouldBe(ProducerDecision.Accept(7, 0));
        Check(null, 0, 3).ShouldBe(ProducerDecision.Gap(0, 3));
    }

    [Fact]
    public void TheNextSequenceIsAcceptedARepeatIsADuplicateAndASkipIsAGap()
    {
        Check(AtEpoch2Seq5, 2, 6).ShouldBe(ProducerDecision.Accept(2, 6));
        Check(AtEpoch2Seq5, 2, 5).ShouldBe(ProducerDecision.Duplicate(2, 5));
        Check(AtEpoch2Seq5, 2, 0).ShouldBe(ProducerDecision.Duplicate(2, 5), "a duplicate answers the highest accepted, not its own");
        Check(AtEpoch2Seq5, 2, 8).ShouldBe(ProducerDecision.Gap(6, 8));
    }

    [Fact]
    public void AnOlderEpochIsFencedAndANewerOneMustStartAtZero()
    {
        Check(AtEpoch2Seq5, 1, 6).ShouldBe(ProducerDecision.Stale(2));
        Check(AtEpoch2Seq5, 3, 0).ShouldBe(ProducerDecision.Accept(3, 0));
        Check(AtEpoch2Seq5, 3, 1).Verdict.ShouldBe(ProducerVerdict.NewEpochNotAtZero);
    }
}
