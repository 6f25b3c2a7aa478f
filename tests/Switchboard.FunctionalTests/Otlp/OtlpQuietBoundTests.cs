using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Otlp;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Otlp;

/// <summary>
/// The quiet monitor's inbox never grows with the receivers' traffic: what they observe is merged per session until its
/// loop takes it, so a storm of observations while the loop is busy leaves at most one entry per session and one
/// wake-up waiting, and the newest version of each session wins.
/// </summary>
public sealed class OtlpQuietBoundTests
{
    [Fact]
    public async Task AStormOfObservationsLeavesOneEntryPerSessionAndOneWakeUp()
    {
        var clock = new ManualTimeProvider();
        await using var server = await SwitchboardServer.StartAsync(time: clock);
        var monitor = server.Get<QuietMonitor>();
        var ids = new[] { "otel:c:bound-1", "otel:c:bound-2", "otel:c:bound-3" };
        var maxPending = 0;
        var maxInbox = 0;
        for (var version = 1; version <= 10_000; version++)
        {
            var at = clock.GetUtcNow();
            monitor.Observed([.. ids.Select(id => Result(id, version, at))], at);
            maxPending = Math.Max(maxPending, monitor.PendingObservations);
            maxInbox = Math.Max(maxInbox, monitor.InboxDepth);
        }

        maxPending.ShouldBeLessThanOrEqualTo(ids.Length, "one entry per session, however many observations");
        maxInbox.ShouldBeLessThanOrEqualTo(2, "one wake-up for the observations (and at most one timer tick)");
        await monitor.CheckAsync().Within();
        monitor.PendingObservations.ShouldBe(0, "a check takes everything observed before it");
    }

    private static WriteResult Result(string id, long version, DateTimeOffset at) =>
        new(null, new Session { Id = id, State = SessionState.Working, CreatedAt = at, UpdatedAt = at, Version = version }, null);
}
