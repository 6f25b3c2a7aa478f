using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Switchboard.Server.Metrics;

/// <summary>Times every non-GET endpoint of a group into <c>switchboard.http.write.duration</c>, tagged by endpoint name.</summary>
internal static class HttpWriteTiming
{
    public static void TimeWrites(this IEndpointConventionBuilder group, SwitchboardMetrics metrics, TimeProvider time) => group.Add(endpoint =>
    {
        var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().FirstOrDefault()?.HttpMethods;
        if (methods is null || methods.All(m => HttpMethods.IsGet(m) || HttpMethods.IsHead(m)))
        {
            return;
        }

        // The endpoint's name is added by conventions that run after this one, so it is read on first use.
        KeyValuePair<string, object?>? tag = null;
        endpoint.FilterFactories.Add((_, next) => async invocation =>
        {
            var started = time.GetTimestamp();
            try
            {
                return await next(invocation);
            }
            finally
            {
                tag ??= new("endpoint", invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown");
                metrics.HttpWriteDuration.Record(time.GetElapsedTime(started).TotalSeconds, tag.Value);
            }
        });
    });
}
