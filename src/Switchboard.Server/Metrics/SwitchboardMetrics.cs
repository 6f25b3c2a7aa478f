using System.Diagnostics.Metrics;
using Switchboard.Core.Hosting;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Outbound;
using Switchboard.Server.Transports;

namespace Switchboard.Server.Metrics;

/// <summary>
/// Switchboard's instruments on the <c>Switchboard</c> meter (System.Diagnostics.Metrics), created through the host's
/// <see cref="IMeterFactory"/>. Most are observable and read existing totals when scraped; the fan-out latency comes
/// from <see cref="LiveHub.EventDispatched"/> and the HTTP write latency from an endpoint filter.
/// </summary>
internal sealed class SwitchboardMetrics : IDisposable
{
    public const string MeterName = "Switchboard";

    private readonly LiveHub _live;
    private readonly Counter<long> _dispatched;
    private readonly Histogram<double> _fanout;

    public SwitchboardMetrics(IMeterFactory meters, LiveHub live, GroupCommit pipeline, ConnectionRegistry connections, Switchboard.Server.Webhooks.WebhookDispatcher webhooks,
        Switchboard.Server.Alerts.AlertEvaluator alerts, Switchboard.Server.Commands.CommandWatch commands, Switchboard.Server.Http.RequestBodyBudget bodies, BackgroundLoops loops)
    {
        _live = live;
        Meter = meters.Create(MeterName);
        Meter.CreateObservableUpDownCounter("switchboard.webhook.lag", () => ObserveWebhooks(webhooks, e => Math.Max(0, live.HeadSeq - e.Cursor)), "{event}",
            "Events in the log after a webhook endpoint's cursor, per endpoint (as this node last read it).");
        Meter.CreateObservableCounter("switchboard.webhook.attempts", () => ObserveWebhooks(webhooks, e => e.Attempts), "{request}",
            "Webhook POSTs made, per endpoint (by every node).");
        Meter.CreateObservableCounter("switchboard.webhook.failures", () => ObserveWebhooks(webhooks, e => e.Failures), "{request}",
            "Webhook POSTs that failed, per endpoint (by every node).");
        Meter.CreateObservableUpDownCounter("switchboard.connections", () => connections.Count, "{connection}",
            "Open stream connections (WebSocket, long-poll, SSE).");
        Meter.CreateObservableUpDownCounter("switchboard.send_queue", () => QueuedBytes(connections), "By",
            "Bytes of frames waiting in the send queues of every stream connection.");
        Meter.CreateObservableUpDownCounter("switchboard.http.request_body", () => bodies.InFlight, "By",
            "Bytes held for request bodies being read, against the node's budget (Switchboard:Http:MaxInFlightBodyBytes).");
        Meter.CreateObservableUpDownCounter("switchboard.subscriptions", ObserveSubscriptions, "{subscription}",
            "Channel subscriptions by topic kind (sessions, summary, session).");
        Meter.CreateObservableCounter("switchboard.events.appended", () => pipeline.Appended, "{event}",
            "Events this node appended to the log.");
        _dispatched = Meter.CreateCounter<long>("switchboard.events.dispatched", "{event}",
            "Committed events applied to the live projection and fanned out (from any node).");
        Meter.CreateObservableCounter("switchboard.deliveries", () => live.Stats.Deliveries, "{delivery}",
            "Event frames handed to subscriber send queues.");
        Meter.CreateObservableUpDownCounter("switchboard.fanout.pending", () => live.PendingEvents, "{event}",
            "Committed events not yet fanned out (admission control holds writes while this is too old or too many).");
        Meter.CreateObservableUpDownCounter("switchboard.live.inbox", () => live.InboxDepth, "{message}",
            "Messages waiting in the live loop's inbox (commits, joins, leaves, reads, ticks).");
        Meter.CreateObservableUpDownCounter("switchboard.alerts.inbox", () => alerts.InboxDepth, "{message}",
            "Applied events and messages waiting in the alert evaluator's inboxes.");
        Meter.CreateObservableUpDownCounter("switchboard.command.waiters", () => commands.Waiters, "{request}",
            "Long-polls waiting for commands on this node (GET /api/sessions/{id}/commands?wait=N).");
        Meter.CreateObservableUpDownCounter("switchboard.commands.inbox", () => commands.InboxDepth, "{event}",
            "Applied events waiting in the command watch's feed.");
        Meter.CreateObservableCounter("switchboard.loop.restarts", () => loops.Snapshot().Select(l =>
                new Measurement<long>(l.Restarts, new KeyValuePair<string, object?>("loop", l.Name))), "{restart}",
            "Times a supervised background loop was started again after a failure, per loop (live, write-pipeline, webhook:{endpoint}, ...).");
        Meter.CreateObservableCounter("switchboard.fanout.pauses", () => live.Stats.FanoutPauses, "{pause}",
            "Times the fan-out paused because most deliveries went to connections that were behind but still draining.");
        Meter.CreateObservableCounter("switchboard.writes.refused", () => pipeline.Refused, "{write}",
            "Writes refused with 503 because the fan-out could not admit them within the write wait timeout.");
        Meter.CreateObservableCounter("switchboard.sent", () => OutboundCounters.BytesSent, "By",
            "Bytes written to stream connections.");
        Meter.CreateObservableCounter("switchboard.socket.writes", () => OutboundCounters.Writes, "{write}",
            "Writes to stream connections; each coalesces every frame pending for that connection.");
        Meter.CreateObservableCounter("switchboard.slow_consumer.conflations", () => OutboundCounters.Conflations, "{frame}",
            "Pending summaries and usage-only updates replaced by a newer one because a connection fell behind.");
        Meter.CreateObservableCounter("switchboard.slow_consumer.disconnects", () => OutboundCounters.SlowConsumerDisconnects, "{connection}",
            "Connections cut off because their send queue reached its cap.");
        _fanout = Meter.CreateHistogram("switchboard.fanout.duration", "s",
            "From an event's commit to its frames queued for every subscriber.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        HttpWriteDuration = Meter.CreateHistogram("switchboard.http.write.duration", "s",
            "Handling time of HTTP write requests (read, validate, commit), by endpoint.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        OtlpRecords = Meter.CreateCounter<long>("switchboard.otlp.records", "{record}",
            "OTLP spans, log records and metric points received, by signal and outcome (accepted: mapped to a session; ignored: not from an agent; rejected: named in partial_success; refused: the whole request was answered with an error; outside_scope: for a session outside the key's labels scope, dropped and answered as accepted).");
        OtlpAttributesIgnored = Meter.CreateCounter<long>("switchboard.otlp.attributes.ignored", "{attribute}",
            "OTLP attributes past the first Switchboard:Otlp:MaxAttributesPerRecord of their record, resource or scope, ignored; by signal.");
        OtlpRequestDuration = Meter.CreateHistogram("switchboard.otlp.request.duration", "s",
            "Handling time of OTLP export requests (decode, map, commit), by signal and transport.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        live.EventDispatched += OnDispatched;
    }

    private static long QueuedBytes(ConnectionRegistry connections)
    {
        long bytes = 0;
        foreach (var connection in connections.Snapshot())
        {
            bytes += connection.Queue.Bytes;
        }

        return bytes;
    }

    /// <summary>Bucket bounds in seconds, from 100 µs to 10 s.</summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public Meter Meter { get; }

    public Histogram<double> HttpWriteDuration { get; }

    /// <summary>OTLP records by signal and outcome.</summary>
    public Counter<long> OtlpRecords { get; }

    /// <summary>OTLP attributes ignored past the per-record cap, by signal.</summary>
    public Counter<long> OtlpAttributesIgnored { get; }

    /// <summary>OTLP export request handling time by signal and transport.</summary>
    public Histogram<double> OtlpRequestDuration { get; }

    public void Dispose()
    {
        _live.EventDispatched -= OnDispatched;
        Meter.Dispose();
    }

    private void OnDispatched(int delivered, TimeSpan latency)
    {
        _dispatched.Add(1);
        _fanout.Record(Math.Max(0, latency.TotalSeconds));
    }

    private static IEnumerable<Measurement<long>> ObserveWebhooks(Switchboard.Server.Webhooks.WebhookDispatcher webhooks, Func<Switchboard.Core.Webhooks.WebhookEndpoint, long> value) =>
        webhooks.Workers.Select(w => w.Last).OfType<Switchboard.Core.Webhooks.WebhookEndpoint>()
            .Select(e => new Measurement<long>(value(e), new KeyValuePair<string, object?>("endpoint", e.Id)));

    private IEnumerable<Measurement<int>> ObserveSubscriptions()
    {
        var stats = _live.Stats;
        return
        [
            new(stats.AllSessionsSubscribers, new KeyValuePair<string, object?>("topic_kind", "sessions")),
            new(stats.SummaryOnlySubscribers, new KeyValuePair<string, object?>("topic_kind", "summary")),
            new(stats.OneSessionSubscribers, new KeyValuePair<string, object?>("topic_kind", "session")),
        ];
    }
}
