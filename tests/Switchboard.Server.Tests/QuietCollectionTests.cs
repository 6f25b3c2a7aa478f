using Switchboard.Server.Hosting;

namespace Switchboard.Server.Tests;

/// <summary>
/// The quiet rule (<see cref="QuietCollection"/>) over scripted heap readings: it collects only when the runtime has not
/// collected since its last check and a threshold's worth was allocated since the last collection it knows of. The
/// executable's real collections are checked by the CLI tests (<c>HeapTrimTests</c>).
/// </summary>
public sealed class QuietCollectionTests
{
    private const long Threshold = 1000;

    [Fact]
    public void AQuietProcessIsCollectedOnceItHasAllocatedTheThreshold()
    {
        var heap = new ScriptedHeap(new HeapReading(3, 10_000));
        var rule = heap.Rule();

        heap.Now = new HeapReading(3, 10_999);
        rule.Check().ShouldBeNull("999 bytes are under the threshold");
        heap.Now = new HeapReading(3, 11_000);
        rule.Check().ShouldBe(1000);
        heap.Collections.ShouldBe(1);
    }

    [Fact]
    public void ItCountsFromItsOwnCollectionOnward()
    {
        var heap = new ScriptedHeap(new HeapReading(0, 0));
        var rule = heap.Rule();

        heap.Now = new HeapReading(0, 5_000);
        rule.Check().ShouldBe(5_000);
        heap.Now = new HeapReading(1, 5_500); // its own collection, and a little allocated since
        rule.Check().ShouldBeNull("500 bytes since its collection are under the threshold");
        heap.Now = new HeapReading(1, 6_100);
        rule.Check().ShouldBe(1_100);
        heap.Collections.ShouldBe(2);
    }

    [Fact]
    public void ABusyProcessThatTheRuntimeCollectsIsLeftAlone()
    {
        var heap = new ScriptedHeap(new HeapReading(0, 0));
        var rule = heap.Rule();

        for (var i = 1; i <= 5; i++)
        {
            heap.Now = new HeapReading(i * 10, i * 1_000_000L); // the runtime collected between every two checks
            rule.Check().ShouldBeNull();
        }

        heap.Collections.ShouldBe(0);
    }

    [Fact]
    public void AfterTheRuntimeCollectsItCountsAllocationsFromThatCheck()
    {
        var heap = new ScriptedHeap(new HeapReading(0, 0));
        var rule = heap.Rule();

        heap.Now = new HeapReading(1, 50_000); // the runtime collected: what came before it is not garbage to collect
        rule.Check().ShouldBeNull();
        heap.Now = new HeapReading(1, 50_900);
        rule.Check().ShouldBeNull("900 bytes since the runtime's collection are under the threshold");
        heap.Now = new HeapReading(1, 51_000);
        rule.Check().ShouldBe(1_000);
    }

    [Fact]
    public void AnIdleProcessIsNeverCollected()
    {
        var heap = new ScriptedHeap(new HeapReading(2, 123_456));
        var rule = heap.Rule();
        for (var i = 0; i < 100; i++)
        {
            rule.Check().ShouldBeNull();
        }

        heap.Collections.ShouldBe(0);
    }

    /// <summary>A heap whose readings the test sets; a collection counts one more collection, as the runtime's does.</summary>
    private sealed class ScriptedHeap(HeapReading start)
    {
        public HeapReading Now { get; set; } = start;

        public int Collections { get; private set; }

        public QuietCollection Rule() => new(() => Now, Collect, Threshold);

        private void Collect()
        {
            Collections++;
            Now = Now with { Collections = Now.Collections + 1 };
        }
    }
}
