using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Otlp.Wire;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// Binds each OTLP service's <c>Export</c> with a marshaller that keeps the request's bytes (Grpc.AspNetCore's
/// <see cref="IServiceMethodProvider{TService}"/>, its way for a service that is not generated): the bytes are checked
/// and read in place as HTTP's are, never made into Google.Protobuf's objects. A body that is not the protobuf it should
/// be is answered INVALID_ARGUMENT, saying what is wrong with it. The answers are the generated messages, as over HTTP.
/// </summary>
/// <remarks>TService carries Grpc.AspNetCore's own requirement (it activates the service and finds its methods).</remarks>
internal sealed class OtlpGrpcMethods<[DynamicallyAccessedMembers(ServiceMembers)] TService>(string service, OtlpSignal signal) : IServiceMethodProvider<TService>
    where TService : OtlpExportService
{
    private const DynamicallyAccessedMemberTypes ServiceMembers =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    private static readonly Marshaller<IMessage> Answers = Marshallers.Create<IMessage>(
        static answer => answer.ToByteArray(), static _ => throw new NotSupportedException("The server only sends answers."));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var requests = Marshallers.Create<OtlpRequest>(
            static _ => throw new NotSupportedException("The server only reads requests."), bytes => Read(signal, bytes));
        var export = new Method<OtlpRequest, IMessage>(MethodType.Unary, service, "Export", requests, Answers);
        context.AddUnaryMethod(export, [], static (service, request, call) => service.Export(request, call));
    }

    private static OtlpRequest Read(OtlpSignal signal, byte[] bytes)
    {
        try
        {
            return OtlpRequest.Read(signal, bytes);
        }
        catch (OtlpWireException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The message is not an OTLP {signal.ToWire()} export request: {ex.Message}"));
        }
    }
}

internal static class OtlpGrpcMethods
{
    /// <summary>Registers the three services' methods (before they are mapped).</summary>
    public static void AddOtlpGrpcMethods(this IServiceCollection services)
    {
        services.AddSingleton<IServiceMethodProvider<OtlpTraceService>>(new OtlpGrpcMethods<OtlpTraceService>("opentelemetry.proto.collector.trace.v1.TraceService", OtlpSignal.Traces));
        services.AddSingleton<IServiceMethodProvider<OtlpLogsService>>(new OtlpGrpcMethods<OtlpLogsService>("opentelemetry.proto.collector.logs.v1.LogsService", OtlpSignal.Logs));
        services.AddSingleton<IServiceMethodProvider<OtlpMetricsService>>(new OtlpGrpcMethods<OtlpMetricsService>("opentelemetry.proto.collector.metrics.v1.MetricsService", OtlpSignal.Metrics));
    }
}
