using Microsoft.Extensions.Logging;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Metrics;
using Switchboard.Server.Otlp.Mapping;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp;

/// <summary>What an export request came to: how many records were refused, and why the first was.</summary>
internal readonly record struct OtlpOutcome(long Rejected, string? Message);

/// <summary>
/// The part every OTLP transport shares: map a decoded export request through <see cref="TelemetryMap"/>, coalesce it
/// into one write per session, commit those through the same <see cref="WriteIntake"/> as the HTTP API (state
/// machine, event log, fan-out, alerts, usage rollups and webhooks all follow), and tell the quiet monitor.
/// An unavailable store or admission control throws (<see cref="Switchboard.Core.Storage.StoreUnavailableException"/>, <see cref="OverloadedException"/>).
/// </summary>
internal sealed class OtlpReceiver(WriteIntake writer, QuietMonitor quiet, SwitchboardMetrics metrics, TimeProvider time, Switchboard.Server.Options.SwitchboardOptions options,
    ILogger<OtlpReceiver> logger)
{
    /// <summary>Maps a decoded export request of any signal into <paramref name="batch"/>.</summary>
    public static void Map(OtlpRequest request, TelemetryBatch batch)
    {
        switch (request.Signal)
        {
            case OtlpSignal.Traces:
                SpanMapping.Map(request.Reader, batch);
                break;
            case OtlpSignal.Logs:
                LogMapping.Map(request.Reader, batch);
                break;
            default:
                MetricMapping.Map(request.Reader, batch);
                break;
        }
    }

    /// <param name="key">The exporter's API key (null while auth is off): a key scoped by labels gives its sessions its labels.</param>
    public async Task<OtlpOutcome> ReceiveAsync(OtlpSignal signal, OtlpRequest request, Switchboard.Server.Security.ApiKeyIdentity? key, CancellationToken cancellationToken)
    {
        var batch = new TelemetryBatch(time.GetUtcNow(), options.Otlp.MaxRecordsPerRequest, options.Otlp.MaxAttributesPerRecord);
        Map(request, batch);

        var rejected = (long)batch.Rejected;
        var accepted = (long)batch.Accepted;
        string? refusal = null; // why the store refused a session's write, if it did
        if (batch.AttributesIgnored > 0)
        {
            metrics.OtlpAttributesIgnored.Add(batch.AttributesIgnored, new KeyValuePair<string, object?>("signal", signal.ToWire()));
        }

        if (batch.SessionCount > 0)
        {
            var writes = batch.ToWrites(options.Sessions.MaxTreeDepth).ConvertAll(w => Switchboard.Server.Security.ScopedWrites.Within(w, key?.Labels));
            IReadOnlyList<WriteResult> results;
            try
            {
                results = await writer.WriteManyAsync(writes, cancellationToken);
            }
            catch
            {
                Count(signal, "refused", batch.Accepted + batch.Ignored + batch.Rejected);
                throw;
            }

            long outside = 0;
            for (var i = 0; i < results.Count; i++)
            {
                var records = ((ApplyTelemetry)writes[i]).Observations.Count;
                if (results[i].OutsideScope)
                {
                    // Another team's agent does not exist for this key, and must not look as if it did: dropped, and
                    // answered as records for an id nobody has seen are (accepted). Nothing of it was written.
                    outside += records;
                    accepted -= records;
                }
                else if (results[i].Error is { } error)
                {
                    rejected += records;
                    accepted -= records;
                    refusal ??= error.Detail;
                }
            }

            if (outside > 0)
            {
                OtlpLog.OutsideScope(logger, signal.ToWire(), outside);
                Count(signal, "outside_scope", outside);
            }

            quiet.Observed(results, batch.Now);
        }

        Count(signal, "accepted", accepted);
        Count(signal, "ignored", batch.Ignored);
        Count(signal, "rejected", rejected);
        var message = (refusal, batch.Message) switch
        {
            (null, var mapped) => mapped,
            (var refused, null) => refused,
            (var refused, var mapped) => refused + "; " + mapped,
        };
        return new OtlpOutcome(rejected, message);
    }

    public void Count(OtlpSignal signal, string outcome, long records)
    {
        if (records > 0)
        {
            metrics.OtlpRecords.Add(records, new("signal", signal.ToWire()), new("outcome", outcome));
        }
    }
}
