using System.Diagnostics;
using Switchboard.LoadGen.Clients;
using Switchboard.LoadGen.Measure;

namespace Switchboard.LoadGen.Scenarios;

internal sealed partial class SystemRun
{
    private Task PublishOneAsync(DeliveryTracker tracker, long marker, string sessionId, Action onError)
    {
        var request = target.Publish(marker, sessionId);
        tracker.MarkSent(marker);
        return target.SendAsync(request, onError);
    }

    private Task PublishTickAsync(DeliveryTracker tracker, (long Marker, string SessionId)[] events, Action onError)
    {
        var request = target.PublishTick(events);
        foreach (var e in events)
        {
            tracker.MarkSent(e.Marker);
        }

        return target.SendAsync(request, onError);
    }

    /// <summary>Open loop: waits until the <paramref name="k"/>-th of <paramref name="perSecond"/> publishes is due, whatever the server does.</summary>
    internal static async Task WaitUntilDueAsync(Stopwatch clock, int k, int perSecond)
    {
        var due = TimeSpan.FromSeconds((double)k / perSecond);
        if (due > clock.Elapsed)
        {
            await Task.Delay(due - clock.Elapsed);
        }
    }

    private DeliveryTracker NewTracker(int capacity)
    {
        var tracker = new DeliveryTracker(_nextMarker, capacity);
        _nextMarker += capacity;
        return tracker;
    }

    private static double? Ratio((long Deliveries, long Writes)? before, (long Deliveries, long Writes)? after) =>
        before is { } b && after is { } a && a.Writes > b.Writes ? (double)(a.Deliveries - b.Deliveries) / (a.Writes - b.Writes) : null;

    private void Record(string scenario, int n, DeliveryTracker tracker, double seconds, double cpu, double selfCpu, long measuredDeliveries,
        double perSecond, long errors, bool complete, double? framesPerWrite, long refused = 0)
    {
        var result = new ScenarioResult
        {
            System = target.Name,
            Scenario = scenario,
            Connections = n,
            Seconds = seconds,
            Published = tracker.Published,
            Expected = tracker.Expected,
            Delivered = tracker.Delivered,
            Duplicates = tracker.Duplicates,
            Strays = tracker.Strays,
            Summaries = tracker.DeliveredOf(RecordKind.Summary),
            PublishErrors = errors,
            PublishesRefused = refused,
            UnexpectedCloses = _protocol.UnexpectedCloses,
            DeliveriesPerSecond = perSecond,
            CpuSeconds = cpu,
            LoadGeneratorCpuSeconds = selfCpu,
            MeasuredDeliveries = measuredDeliveries,
            PeakRssBytes = ProcStats.PeakRss(Pid),
            Delivery = Latency.From(tracker.DeliveryLatency(RecordKind.Global)),
            SessionTopicDelivery = tracker.DeliveredOf(RecordKind.Session) > 0 ? Latency.From(tracker.DeliveryLatency(RecordKind.Session)) : null,
            LastSubscriber = Latency.From(tracker.LastSubscriberLatency()),
            FramesPerWrite = framesPerWrite,
        };
        _results.Add(result);
        Log($"{scenario} @ {n}: {result.Delivered:N0}/{result.Expected:N0} delivered{(complete ? "" : " (INCOMPLETE)")}, " +
            $"{perSecond:N0}/s, CPU {cpu:F2} s ({result.CpuMicrosPerDelivery:F2} µs/delivery; load generator {selfCpu:F2} s), p50 {result.Delivery.P50 / 1000.0:F1} ms, " +
            $"p99 {result.Delivery.P99 / 1000.0:F1} ms, last-subscriber p99 {result.LastSubscriber.P99 / 1000.0:F1} ms, " +
            $"errors {errors}, closes {result.UnexpectedCloses}, dup {result.Duplicates}, strays {result.Strays}" +
            (framesPerWrite is { } f ? $", {f:F1} frames/write" : ""));
    }
}
