using Google.Protobuf;
using Grpc.Core;
using Switchboard.Core.Storage;
using Switchboard.Otlp.Proto.Collector;
using Switchboard.Server.Ingest;
using Switchboard.Server.Security;
using LogsBase = Switchboard.Otlp.Proto.Collector.Logs.LogsService.LogsServiceBase;
using MetricsBase = Switchboard.Otlp.Proto.Collector.Metrics.MetricsService.MetricsServiceBase;
using TraceBase = Switchboard.Otlp.Proto.Collector.Trace.TraceService.TraceServiceBase;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// What the three OTLP/gRPC services share: the receiver, and the answers exporters retry on (UNAVAILABLE, with a retry
/// delay under admission control). Keys, the write rate and the concurrency cap are checked before the message is
/// decoded, by <see cref="OtlpGrpcGate"/>.
/// </summary>
internal sealed class OtlpGrpcCalls(OtlpReceiver receiver)
{
    public async Task<IMessage> ExportAsync(OtlpSignal signal, IMessage request, ServerCallContext context)
    {
        try
        {
            // The key was checked before the message was decoded (OtlpGrpcGate), which left its identity where HTTP's filter does.
            var outcome = await receiver.ReceiveAsync(signal, request, ApiAccessFilter.IdentityOf(context.GetHttpContext()), context.CancellationToken);
            return OtlpCodec.Answer(signal, outcome.Rejected, outcome.Message);
        }
        catch (OverloadedException ex)
        {
            throw OtlpGrpcStatus.Exception(StatusCode.Unavailable, "The telemetry was not recorded: " + ex.Message, ex.RetryAfter);
        }
        catch (StoreUnavailableException ex)
        {
            throw OtlpGrpcStatus.Exception(StatusCode.Unavailable, "The telemetry was not recorded: " + ex.Message);
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
