using Switchboard.Core.Events;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Tests;

public sealed class SessionChangesTests
{
    private static readonly Session Base = new() { Id = "s1", State = SessionState.Working, InputTokens = 10, Version = 3 };

    [Fact]
    public void AChangeOfOnlyUsageCountersGetsAMaskOfExactlyThoseCounters()
    {
        var later = Base.UpdatedAt.AddSeconds(1);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, UpdatedAt = later, Version = 4 }).ShouldBe(1);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, OutputTokens = 2, CostUsd = 0.1m }).ShouldBe(1 | 2 | 4);
        SessionChanges.UsageOnlyMask(Base, Base with { TasksRunning = 2 }).ShouldBe(8);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 12 })
            .ShouldBe(SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11 }), "same fields, same mask, whatever the values");
    }

    [Fact]
    public void AnyOtherChangeAlongsideMakesItNoUsageOnlyUpdate()
    {
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, State = SessionState.Idle }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, Name = "renamed" }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, Metadata = """{"a":1}""" }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, ErrorMessage = "x" }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { InputTokens = 11, LeaseSeconds = 30 }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { Labels = new Dictionary<string, string> { ["team"] = "a" } }).ShouldBe(0);
        SessionChanges.UsageOnlyMask(Base, Base with { Version = 4 }).ShouldBe(0, "nothing visible changed");
    }
}
