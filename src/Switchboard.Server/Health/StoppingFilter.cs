using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Switchboard.Server.Health;

/// <summary>
/// While the node stops, each API response closes its connection: a client's next request then opens a new connection,
/// which a stopped server refuses cleanly, instead of going out on a keep-alive connection the server is closing.
/// </summary>
internal sealed class StoppingFilter(NodeReadiness readiness) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (readiness.IsStopping)
        {
            context.HttpContext.Response.Headers[HeaderNames.Connection] = "close";
        }

        return next(context);
    }
}
