using Microsoft.AspNetCore.Http;
using Switchboard.Core.Storage;

namespace Switchboard.Server.Http;

/// <summary>
/// A read that finds the store unavailable (PostgreSQL restarting, say) answers 503 problem+json with Retry-After
/// instead of an empty 500. Write endpoints catch the exception themselves, with a message about what was not persisted.
/// </summary>
internal sealed class StoreUnavailableFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (StoreUnavailableException ex) when (!context.HttpContext.Response.HasStarted)
        {
            return UnavailableProblem.For(ex, "The request was not served");
        }
    }
}
