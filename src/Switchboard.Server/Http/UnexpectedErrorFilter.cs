using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>
/// The API's last line: an exception nothing else answered is logged once with <see cref="HttpLog.RequestCrashed"/> and
/// answered with problem+json, never an empty 500 or a dropped connection. Reaching it is a bug.
/// </summary>
internal sealed class UnexpectedErrorFilter(ILogger<UnexpectedErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.HttpContext.Response.HasStarted)
        {
            var request = context.HttpContext.Request;
            HttpLog.RequestCrashed(logger, request.Method, request.Path, ex);
            return new ProblemResult(StatusCodes.Status500InternalServerError, "internal_error", "Internal server error",
                "The server failed to handle this request. The failure was logged with its cause; retry, and report it if it happens again.");
        }
    }
}
