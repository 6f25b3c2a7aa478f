using Switchboard.Server.Live;
using Switchboard.Server.Waiters;

namespace Switchboard.Server.Tests;

/// <summary>
/// The rule that shares a node's waiters by scope (docs/commands.md, "Long-poll"): a scope may take one more only while it
/// holds fewer than are left free, so no scope can take the last waiters from another.
/// </summary>
public sealed class WaiterSharesTests
{
    private static int TakeAll(WaiterShares shares, string scope)
    {
        var taken = 0;
        while (shares.TryTake(scope) == WaiterRefusal.None)
        {
            taken++;
        }

        return taken;
    }

    [Fact]
    public void AScopeAloneHoldsHalfAndEveryLaterScopeStillFindsWaitersFree()
    {
        var shares = new WaiterShares(max: 100, fair: true);
        TakeAll(shares, "team=red").ShouldBe(50);
        shares.TryTake("team=red").ShouldBe(WaiterRefusal.OverShare);

        TakeAll(shares, "team=blue").ShouldBe(25, "half of what red left free");
        TakeAll(shares, "").ShouldBe(13, "keys without a scope are a scope too");
        shares.TryTake("team=red").ShouldBe(WaiterRefusal.OverShare, "red gets nothing back from the others");
        shares.Total.ShouldBe(88);
        shares.TryTake("team=green").ShouldBe(WaiterRefusal.None, "a newcomer always finds one free");
    }

    [Fact]
    public void ScopesThatAllKeepAskingEndEqual()
    {
        var shares = new WaiterShares(max: 90, fair: true);
        string[] scopes = ["a", "b"];
        for (var round = 0; round < 100; round++)
        {
            foreach (var scope in scopes)
            {
                shares.TryTake(scope);
            }
        }

        shares.HeldBy("a").ShouldBe(30);
        shares.HeldBy("b").ShouldBe(30);
        shares.Total.ShouldBe(60, "a third stays free for whoever comes next");
    }

    [Fact]
    public void AWaiterGivenBackIsRoomForItsScopeAgainAndTheTotalIsABoundForAll()
    {
        var shares = new WaiterShares(max: 4, fair: true);
        TakeAll(shares, "a").ShouldBe(2);
        shares.Return("a").ShouldBeFalse("it still holds one");
        shares.TryTake("a").ShouldBe(WaiterRefusal.None);
        TakeAll(shares, "b").ShouldBe(1);
        shares.TryTake("c").ShouldBe(WaiterRefusal.None);
        shares.TryTake("d").ShouldBe(WaiterRefusal.Full);
        shares.Return("a").ShouldBeFalse();
        shares.Return("a").ShouldBeTrue("it holds none now");
        shares.Return("a").ShouldBeTrue("giving back what was not taken changes nothing");
        shares.Total.ShouldBe(2);
    }

    [Fact]
    public void WithoutFairnessOneScopeMayHoldThemAll()
    {
        var shares = new WaiterShares(max: 10, fair: false);
        TakeAll(shares, "").ShouldBe(10);
        shares.TryTake("").ShouldBe(WaiterRefusal.Full);
    }

    [Fact]
    public void FairnessFollowsTheKeysAsTheyAreNow()
    {
        var scoped = false; // no key with a labels scope yet: the keys without one are the only scope there can be
        var shares = new WaiterShares(max: 10, () => scoped);
        TakeAll(shares, "").ShouldBe(10, "alone it may hold them all");
        for (var i = 0; i < 5; i++)
        {
            shares.Return("");
        }

        scoped = true; // a scoped key rotated in: from now on the free ones are shared
        shares.TryTake("").ShouldBe(WaiterRefusal.OverShare, "it holds 5 of 10 and only 5 are free");
        shares.TryTake("team=red").ShouldBe(WaiterRefusal.None);
    }

    [Fact]
    public void AScopeIsItsLabelsWhateverTheirOrder()
    {
        var one = LabelFilter.From(new Dictionary<string, string> { ["team"] = "red", ["env"] = "prod" });
        var other = LabelFilter.From(new Dictionary<string, string> { ["env"] = "prod", ["team"] = "red" });
        WaiterShares.ScopeOf(one).ShouldBe("env=prod,team=red");
        WaiterShares.ScopeOf(other).ShouldBe(WaiterShares.ScopeOf(one));
        WaiterShares.ScopeOf(null).ShouldBe("");
    }
}
