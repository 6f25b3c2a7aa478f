using Google.Protobuf;
using Grpc.Core;
using Switchboard.Core.Storage;
using Switchboard.Server.Ingest;
using Switchboard.Server.Otlp.Wire;
using Switchboard.Server.Security;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// What the three OTLP/gRPC services share: the receiver, and the answers exporters retry on (UNAVAILABLE, with a retry
/// delay under admission control). Keys, the write rate and the concurrency cap are checked before the message is
/// decoded, by <see cref="OtlpGrpcGate"/>.
/// </summary>
internal sealed class OtlpGrpcCalls(OtlpReceiver receiver)
{
    public async Task<IMessage> ExportAsync(OtlpSignal signal, OtlpRequest request, ServerCallContext context)
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

/// <summary>
/// The three OTLP/gRPC services, each its one <c>Export</c> method. Bound through <see cref="OtlpGrpcMethods"/> (not
/// the generated bases), so that the request comes as its bytes and is read in place (<see cref="OtlpRequest"/>).
/// </summary>
internal abstract class OtlpExportService(OtlpGrpcCalls calls, OtlpSignal signal)
{
    public Task<IMessage> Export(OtlpRequest request, ServerCallContext context) => calls.ExportAsync(signal, request, context);
}

internal sealed class OtlpTraceService(OtlpGrpcCalls calls) : OtlpExportService(calls, OtlpSignal.Traces);

internal sealed class OtlpLogsService(OtlpGrpcCalls calls) : OtlpExportService(calls, OtlpSignal.Logs);

internal sealed class OtlpMetricsService(OtlpGrpcCalls calls) : OtlpExportService(calls, OtlpSignal.Metrics);
