using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>TTLs slide with access, absolute expiries do not, and forks follow the protocol's inheritance table.</summary>
public sealed class StreamExpiryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static StreamRow Row(long? ttl = null, DateTimeOffset? expiresAt = null) => new()
    {
        Id = 1, Path = "s", ContentType = "text/plain", Tail = 0, TtlSeconds = ttl, ExpiresAt = expiresAt, AccessedAt = T0, Owner = "o", CreatedAt = T0,
    };

    [Fact]
    public void ATtlCountsFromTheLastAccessAndAnExpiryIsFixed()
    {
        StreamExpiry.DueAt(Row(ttl: 60)).ShouldBe(T0.AddSeconds(60));
        StreamExpiry.DueAt(Row(expiresAt: T0.AddHours(1))).ShouldBe(T0.AddHours(1));
        StreamExpiry.DueAt(Row()).ShouldBeNull();
        StreamExpiry.IsExpired(Row(ttl: 2), T0.AddSeconds(2)).ShouldBeTrue();
        StreamExpiry.IsExpired(Row(ttl: 2), T0.AddMilliseconds(1999)).ShouldBeFalse();
        StreamExpiry.IsExpired(Row(), T0.AddYears(100)).ShouldBeFalse();
    }

    [Fact]
    public void AReadRenewsATtlOnceItsLastRenewalIsAGrainOld()
    {
        // A tenth of the TTL, at most a second.
        StreamExpiry.Renewed(Row(ttl: 2), T0.AddMilliseconds(199)).ShouldBeNull();
        var renewed = StreamExpiry.Renewed(Row(ttl: 2), T0.AddMilliseconds(200)).ShouldNotBeNull();
        renewed.AccessedAt.ShouldBe(T0.AddMilliseconds(200));
        renewed.DueAt.ShouldBe(T0.AddMilliseconds(2200));
        StreamExpiry.Renewed(Row(ttl: 3600), T0.AddMilliseconds(999)).ShouldBeNull();
        StreamExpiry.Renewed(Row(ttl: 3600), T0.AddSeconds(1)).ShouldNotBeNull();
        StreamExpiry.Renewed(Row(expiresAt: T0.AddHours(1)), T0.AddMinutes(30)).ShouldBeNull("an absolute expiry never moves");
    }

    [Fact]
    public void AForkTakesWhatItNamesElseItsSourcesExpiry()
    {
        var at = T0.AddHours(2);
        // Source: none, TTL, Expires-At × fork request: none, TTL, Expires-At.
        StreamExpiry.ForFork(Row(), null, null).ShouldBe((null, null));
        StreamExpiry.ForFork(Row(), 30, null).ShouldBe((30L, null));
        StreamExpiry.ForFork(Row(), null, at).ShouldBe((null, at));
        StreamExpiry.ForFork(Row(ttl: 60), null, null).ShouldBe((60L, null));
        StreamExpiry.ForFork(Row(ttl: 60), 30, null).ShouldBe((30L, null));
        StreamExpiry.ForFork(Row(ttl: 60), null, at).ShouldBe((null, at));
        StreamExpiry.ForFork(Row(expiresAt: T0), null, null).ShouldBe((null, T0));
        StreamExpiry.ForFork(Row(expiresAt: T0), 30, null).ShouldBe((30L, null));
        StreamExpiry.ForFork(Row(expiresAt: T0), null, at).ShouldBe((null, at));
    }
}
