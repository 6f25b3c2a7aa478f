using System.Net;
using Switchboard.Core.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Switchboard.Server.Options;
using Switchboard.Server.Security;

namespace Switchboard.Server.Mcp;

/// <summary>
/// In front of the SDK's handler, after the API's access filter: <c>/mcp</c> is not there (404) where it is off by default
/// (auth off, a connection from another machine); a body is bounded as the API's are (<c>Http:MaxBodyBytes</c>, 413 with a
/// JSON-RPC error before it is read); and the key the filter found becomes the request's user, which the tools read and
/// which binds a session to the key that opened it.
/// </summary>
internal sealed class McpGate(SwitchboardOptions options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (options.Mcp.Enabled is null && !options.Security.AuthEnabled && http.Connection.LocalIpAddress is { } local && !IPAddress.IsLoopback(local))
        {
            return Results.NotFound();
        }

        var max = options.Http.MaxBodyBytes;
        if (http.Request.ContentLength > max)
        {
            return Results.Text(TooLarge(max), "application/json", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        http.User = McpCaller.PrincipalFor(ApiAccessFilter.IdentityOf(http));
        return await next(context);
    }

    /// <summary>The JSON-RPC error for a body over <paramref name="max"/> bytes (written directly: no reflection serializer in a trimmed build).</summary>
    private static byte[] TooLarge(long max) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("jsonrpc", "2.0");
        w.WriteNull("id");
        w.WriteStartObject("error");
        w.WriteNumber("code", -32600);
        w.WriteString("message", $"The request body is over {max} bytes; send a smaller message.");
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
