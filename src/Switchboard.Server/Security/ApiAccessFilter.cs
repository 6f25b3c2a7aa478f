using Microsoft.AspNetCore.Http;
using Switchboard.Server.Options;

namespace Switchboard.Server.Security;

/// <summary>
/// Marks an endpoint that tells a subscriber token presented as its bearer apart from an unknown key: such a caller is
/// recognised but may only open streams, so it gets 403 (the command endpoints), not 401.
/// </summary>
internal sealed class SubscriberTokenForbidden;

/// <summary>
/// Guards every endpoint that needs a key (<c>/api</c>, <c>/v1</c>, <c>/hooks</c>, <c>/metrics</c>), before its body is read,
/// by its row of <see cref="AccessTable"/>: the host and origin checks; then, when keys are configured, an API key whose
/// role may do what the route's <see cref="Caller"/> needs, and for a <see cref="Reach.FleetWide"/> route a key without a labels
/// scope; then the per-key write rate. Routes that authenticate their callers themselves (<see cref="Caller.Subscriber"/>)
/// and open ones pass after the origin check; a route without a row is refused.
/// </summary>
internal sealed class ApiAccessFilter(SecurityOptions options, ApiKeyRing keys, OriginPolicy origins, WriteRateLimiter writes, SubscriberTokens tokens) : IEndpointFilter
{
    /// <summary>Where the authenticated key is kept for the endpoint (e.g. minting tokens).</summary>
    public const string IdentityItem = "switchboard.api-key";

    /// <summary>The API key the request was authenticated with; null while auth is off (or before this filter ran).</summary>
    public static ApiKeyIdentity? IdentityOf(HttpContext http) => http.Items[IdentityItem] as ApiKeyIdentity;

    /// <summary>The labels scope of the request's API key; null for a key of the whole fleet, or while auth is off.</summary>
    public static Switchboard.Server.Live.LabelFilter? ScopeOf(HttpContext http) => IdentityOf(http)?.Labels;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (origins.Refusal(request) is { } refused)
        {
            return refused;
        }

        var access = http.GetEndpoint()?.Metadata.GetMetadata<RouteAccess>() ?? RouteAccess.Undeclared;
        if (!access.IsDeclared)
        {
            return SecurityProblems.Undeclared();
        }

        if (access.NeededRole is not { } needed)
        {
            return await next(context);
        }

        var isWrite = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
        string partition;
        if (options.AuthEnabled)
        {
            var bearer = StreamAuthenticator.BearerOf(request);
            if (bearer is null)
            {
                return SecurityProblems.MissingKey();
            }

            if (keys.Find(bearer) is not { } identity)
            {
                if (http.GetEndpoint()?.Metadata.GetMetadata<SubscriberTokenForbidden>() is not null && (await tokens.ValidateAsync(bearer)).Grant is not null)
                {
                    return SecurityProblems.TokenIsNoKey();
                }

                return SecurityProblems.InvalidKey();
            }

            if (!identity.Allows(needed))
            {
                return SecurityProblems.InsufficientRole(identity, needed);
            }

            if (identity.Labels is not null && access.Reach == Reach.FleetWide)
            {
                return SecurityProblems.OutsideScope("this request is about the whole fleet");
            }

            http.Items[IdentityItem] = identity;
            partition = identity.Fingerprint;
        }
        else
        {
            partition = "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        }

        if (isWrite && !writes.TryAcquire(partition, out var retryAfter))
        {
            return SecurityProblems.RateLimited((int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)), writes.Limit, writes.Window);
        }

        return await next(context);
    }
}
