using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Switchboard.Server.Metrics;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Otlp.Grpc;

/// <summary>
/// Guards every call on the OTLP/gRPC listener as <see cref="ApiAccessFilter"/> guards <c>/v1</c>, and in the same order,
/// before the request message is read or decoded (Grpc.AspNetCore decodes before any interceptor or service runs, so this
/// is middleware): with keys configured, an agent or operator key (none: UNAUTHENTICATED; an unknown or read key: PERMISSION_DENIED);
/// then the per-key write rate, which each export counts against like an HTTP write (over it: RESOURCE_EXHAUSTED with a
/// retry delay); then a slot of the node's concurrent OTLP requests (<see cref="OtlpRequestGate"/>; none free:
/// UNAVAILABLE with a retry delay). A refused call writes nothing, and its one request is counted as refused.
/// </summary>
internal sealed class OtlpGrpcGate(OtlpReceiver receiver, SecurityOptions security, ApiKeyRing keys, WriteRateLimiter writes,
    OtlpRequestGate requests, SwitchboardMetrics metrics, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var signal = SignalOf(http.Request.Path);
        var started = time.GetTimestamp();
        try
        {
            string partition;
            if (security.AuthEnabled)
            {
                var bearer = StreamAuthenticator.BearerOf(http.Request);
                if (bearer is null)
                {
                    await RefuseAsync(http, signal, StatusCode.Unauthenticated,
                        "An API key is required: send metadata authorization: Bearer <key> (OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer <key>\").");
                    return;
                }

                // Any other path is answered UNIMPLEMENTED by the services, and still only to a key that may export.
                var needed = AccessTable.GrpcMethods.FirstOrDefault(m => m.Path == http.Request.Path.Value).Access?.NeededRole ?? ApiKeyRole.Agent;
                if (keys.Find(bearer) is not { } identity || !identity.Allows(needed))
                {
                    await RefuseAsync(http, signal, StatusCode.PermissionDenied, "The API key is unknown or read-only; OTLP export needs an agent or operator key.");
                    return;
                }

                http.Items[ApiAccessFilter.IdentityItem] = identity;
                partition = identity.Fingerprint;
            }
            else
            {
                partition = "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            }

            if (!writes.TryAcquire(partition, out var retryAfter))
            {
                var seconds = Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
                await RefuseAsync(http, signal, StatusCode.ResourceExhausted,
                    $"More than {writes.Limit} writes per {writes.Window.TotalSeconds:0.###} s from this API key (or address). Retry after {seconds} s.",
                    TimeSpan.FromSeconds(seconds));
                return;
            }

            if (!requests.TryEnter())
            {
                await RefuseAsync(http, signal, StatusCode.Unavailable, requests.Refusal, OtlpRequestGate.RetryAfter);
                return;
            }

            try
            {
                await next(http);
            }
            finally
            {
                requests.Exit();
            }
        }
        finally
        {
            if (signal is { } known)
            {
                metrics.OtlpRequestDuration.Record(time.GetElapsedTime(started).TotalSeconds,
                    new KeyValuePair<string, object?>("signal", known.ToWire()), new KeyValuePair<string, object?>("transport", "grpc"));
            }
        }
    }

    private Task RefuseAsync(HttpContext http, OtlpSignal? signal, StatusCode code, string message, TimeSpan? retryAfter = null)
    {
        if (signal is { } known)
        {
            receiver.Count(known, "refused", 1);
        }

        return OtlpGrpcStatus.RefuseAsync(http, code, message, retryAfter);
    }

    /// <summary>The signal of an OTLP export method's path; null for any other path (which the gRPC services answer UNIMPLEMENTED).</summary>
    private static OtlpSignal? SignalOf(PathString path) => path.Value switch
    {
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export" => OtlpSignal.Traces,
        "/opentelemetry.proto.collector.logs.v1.LogsService/Export" => OtlpSignal.Logs,
        "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export" => OtlpSignal.Metrics,
        _ => null,
    };
}
