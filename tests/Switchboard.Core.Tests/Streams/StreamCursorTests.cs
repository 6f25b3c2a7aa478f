using Switchboard.Core.Streams;

namespace Switchboard.Core.Tests.Streams;

/// <summary>Cursors count 20-second intervals and never go backwards, even when a client echoes one from the future.</summary>
public sealed class StreamCursorTests
{
    private static readonly DateTimeOffset Epoch = new(2024, 10, 9, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ACursorIsTheIntervalNumber()
    {
        StreamCursor.Next(Epoch.AddSeconds(19), null, new Random(1)).ShouldBe("0");
        StreamCursor.Next(Epoch.AddSeconds(20), null, new Random(1)).ShouldBe("1");
        StreamCursor.Next(Epoch.AddSeconds(20), "0", new Random(1)).ShouldBe("1", "a client behind gets the current interval");
        StreamCursor.Next(Epoch.AddSeconds(20), "garbage", new Random(1)).ShouldBe("1");
    }

    [Fact]
    public void AnEchoNotBehindMovesOnByOneTo180Intervals()
    {
        var now = Epoch.AddHours(1); // interval 180
        for (var seed = 0; seed < 200; seed++)
        {
            foreach (var echoed in new[] { 180L, 5000L })
            {
                var next = long.Parse(StreamCursor.Next(now, echoed.ToString(System.Globalization.CultureInfo.InvariantCulture), new Random(seed)),
                    System.Globalization.CultureInfo.InvariantCulture);
                next.ShouldBeInRange(echoed + 1, echoed + 180);
            }
        }
    }
}
