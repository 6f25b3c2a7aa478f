using Google.Protobuf;
using Grpc.Core;
using Switchboard.Metrics;
using Switchboard.Options;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Security;
using Switchboard.Storage;
using LogsBase = Switchboard.Otlp.Proto.Collector.Logs.LogsService.LogsServiceBase;
using MetricsBase = Switchboard.Otlp.Proto.Collector.Metrics.MetricsService.MetricsServiceBase;
using TraceBase = Switchboard.Otlp.Proto.Collector.Trace.TraceService.TraceServiceBase;

namespace Switchboard.Otlp.Grpc;

/// <summary>
/// What the three OTLP/gRPC services share: the API key check (metadata <c>authorization: Bearer …</c>; none is
/// UNAUTHENTICATED, a read key PERMISSION_DENIED), the receiver, and the answers exporters retry on (UNAVAILABLE).
/// </summary>
internal sealed class OtlpGrpcCalls(OtlpReceiver receiver, SecurityOptions security, ApiKeyRing keys, SwitchboardMetrics metrics, TimeProvider time)
{
    public async Task<IMessage> ExportAsync(OtlpSignal signal, IMessage request, ServerCallContext context)
    {
        var started = time.GetTimestamp();
        try
        {
            ApiKeyIdentity? key = null;
            if (security.AuthEnabled)
            {
                var bearer = StreamAuthenticator.BearerOf(context.GetHttpContext().Request);
                if (bearer is null)
                {
                    receiver.Count(signal, "refused", 1);
                    throw new RpcException(new Status(StatusCode.Unauthenticated, "An API key is required: send metadata authorization: Bearer <key> (OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <key>\")."));
                }

                if (keys.Find(bearer) is not { } identity || !identity.Allows(ApiKeyScope.Write))
                {
                    receiver.Count(signal, "refused", 1);
                    throw new RpcException(new Status(StatusCode.PermissionDenied, "The API key is unknown or read-only; OTLP export needs a write key."));
                }

                key = identity;
            }

            try
            {
                var outcome = await receiver.ReceiveAsync(signal, request, key, context.CancellationToken);
                return OtlpCodec.Answer(signal, outcome.Rejected, outcome.Message);
            }
            catch (StoreUnavailableException ex)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The telemetry was not recorded: " + ex.Message));
            }
        }
        finally
        {
            metrics.OtlpRequestDuration.Record(time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("signal", signal.ToWire()), new KeyValuePair<string, object?>("transport", "grpc"));
        }
    }
}

internal sealed class OtlpTraceService(OtlpGrpcCalls calls) : TraceBase
{
    public override async Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        (ExportTraceServiceResponse)await calls.ExportAsync(OtlpSignal.Traces, request, context);
}

internal sealed class OtlpLogsService(OtlpGrpcCalls calls) : LogsBase
{
    public override async Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        (ExportLogsServiceResponse)await calls.ExportAsync(OtlpSignal.Logs, request, context);
}

internal sealed class OtlpMetricsService(OtlpGrpcCalls calls) : MetricsBase
{
    public override async Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        (ExportMetricsServiceResponse)await calls.ExportAsync(OtlpSignal.Metrics, request, context);
}
