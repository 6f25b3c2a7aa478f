using Microsoft.AspNetCore.Http;
using Switchboard.Options;

namespace Switchboard.Security;

/// <summary>Marks an endpoint under <c>/api</c> that authenticates its callers itself (the SSE stream accepts tokens too).</summary>
internal sealed class OwnAuthentication;

/// <summary>
/// Marks a non-GET endpoint under <c>/api</c> that a read-scoped key may call: it changes nothing a read key could not see
/// anyway (minting a subscriber token, which only opens streams, as the read key itself may). It still counts against the
/// per-key write rate.
/// </summary>
internal sealed class ReadScopeSuffices;

/// <summary>
/// Marks an endpoint that tells a subscriber token presented as its bearer apart from an unknown key: such a caller is
/// recognised but may only open streams, so it gets 403 (the command endpoints), not 401.
/// </summary>
internal sealed class SubscriberTokenForbidden;

/// <summary>
/// Marks an endpoint whose answer is fleet-wide (totals over every session, the fleet flag's switch, alerting and
/// webhook administration): an API key scoped by labels gets 403, as a scoped token cannot join <c>summary</c>.
/// </summary>
internal sealed class FleetWide;

/// <summary>
/// Guards every <c>/api</c> endpoint, before its body is read: the host and origin checks; then, when keys are configured, an API
/// key with the scope the method needs (GET and HEAD read, everything else writes), and for a fleet-wide endpoint a key
/// without a labels scope; then the per-key write rate.
/// </summary>
internal sealed class ApiAccessFilter(SecurityOptions options, ApiKeyRing keys, OriginPolicy origins, WriteRateLimiter writes, SubscriberTokens tokens) : IEndpointFilter
{
    /// <summary>Where the authenticated key is kept for the endpoint (e.g. minting tokens).</summary>
    public const string IdentityItem = "switchboard.api-key";

    /// <summary>The API key the request was authenticated with; null while auth is off (or before this filter ran).</summary>
    public static ApiKeyIdentity? IdentityOf(HttpContext http) => http.Items[IdentityItem] as ApiKeyIdentity;

    /// <summary>The labels scope of the request's API key; null for a key of the whole fleet, or while auth is off.</summary>
    public static Live.LabelFilter? ScopeOf(HttpContext http) => IdentityOf(http)?.Labels;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var request = http.Request;
        if (origins.Refusal(request) is { } refused)
        {
            return refused;
        }

        if (http.GetEndpoint()?.Metadata.GetMetadata<OwnAuthentication>() is not null)
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

            var needed = isWrite && http.GetEndpoint()?.Metadata.GetMetadata<ReadScopeSuffices>() is null ? ApiKeyScope.Write : ApiKeyScope.Read;
            if (!identity.Allows(needed))
            {
                return SecurityProblems.InsufficientScope(needed);
            }

            if (identity.Labels is not null && http.GetEndpoint()?.Metadata.GetMetadata<FleetWide>() is not null)
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
