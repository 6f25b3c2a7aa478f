using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Core.Json;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;
using Switchboard.Server.Sessions;

namespace Switchboard.Server.Auth;

/// <summary>
/// <c>GET /api/auth</c>: whether auth is on and what the presented key may do (401 without one when it is on: how a page
/// finds out it needs a key). <c>POST /api/tokens</c>: mints a subscriber token, e.g. for a dashboard's socket; any key
/// may (a token only opens streams, which every key may open itself; channels are read-only), a key scoped by labels
/// only within its scope.
/// </summary>
internal static class AuthEndpoints
{
    private static readonly string[] Fields = Contracts.Fields<TokenRequest>();
    private static readonly string[] AllTopics = [TopicRoute.SessionsTopic, TopicRoute.SummaryTopic, "session:*", TopicRoute.UsageTopic];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/auth", Describe).WithTags("Auth").WithName("GetAuth").Produces<AuthResponse>().Problems(401);
        api.MapPost("/tokens", MintAsync).WithTags("Auth").WithName("MintToken")
            .JsonBody<TokenRequest>(required: false).Produces<TokenResponse>().Problems(400, 401, 403, 404);
    }

    private static JsonResult Describe(HttpContext http, SwitchboardOptions options) => new(StatusCodes.Status200OK, w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("enabled", options.Security.AuthEnabled);
        var identity = ApiAccessFilter.IdentityOf(http);
        // "scope" is the older two-valued form of "role": read, or write for both roles that may write.
        w.WriteString("scope", identity is null ? null : identity.Role == ApiKeyRole.Read ? "read" : "write");
        w.WriteString("role", identity is null ? null : SecurityProblems.Word(identity.Role));
        w.WriteString("name", identity?.Name);

        WriteLabels(w, identity?.Labels?.ToDictionary());
        w.WriteEndObject();
    });

    private static async Task<IResult> MintAsync(HttpContext http, SwitchboardOptions options, SubscriberTokens tokens, TimeProvider time)
    {
        var security = options.Security;
        if (!security.AuthEnabled)
        {
            return new ProblemResult(StatusCodes.Status404NotFound, "auth_disabled", "Not found",
                "This server has no API keys configured, so streams need no token. Set SWITCHBOARD_API_KEYS on the server to turn auth on.");
        }

        List<string> topics;
        Dictionary<string, string>? labels;
        TimeSpan lifetime;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: true, http.RequestAborted);
            var f = body is null ? null : new FieldReader(body.RootElement, Fields);
            labels = WithinScope(ReadLabels(f), ApiAccessFilter.ScopeOf(http));
            topics = ReadTopics(f, labels);
            lifetime = ReadLifetime(f, security);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        var (token, expires) = tokens.Mint(topics, labels, lifetime);
        return new JsonResult(StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteString("token", token);
            w.WriteString("token_type", "Bearer");
            WireTime.Write(w, "expires_at", expires);
            // Whole seconds, rounded down: a client that renews by this never waits too long.
            w.WriteNumber("expires_in", (long)Math.Floor((expires - time.GetUtcNow()).TotalSeconds));
            w.WriteStartArray("topics");
            foreach (var t in topics)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
            WriteLabels(w, labels);
            w.WriteEndObject();
        });
    }

    private static void WriteLabels(System.Text.Json.Utf8JsonWriter w, IReadOnlyDictionary<string, string>? labels)
    {
        w.WritePropertyName("labels");
        if (labels is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        foreach (var (k, v) in labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// The labels of a token minted by a key scoped by labels: the scope's, added to those asked for (a token sees no more
    /// than the key that minted it); a label that contradicts the scope is refused (403).
    /// </summary>
    private static Dictionary<string, string>? WithinScope(Dictionary<string, string>? labels, LabelFilter? scope)
    {
        if (scope is null)
        {
            return labels;
        }

        labels = scope.Narrow(labels, out var outside)
            ?? throw new RequestException(SecurityProblems.OutsideScope($"a token with the label {outside} would see beyond its scope"));
        return labels.Count <= SessionLimits.MaxLabels ? labels
            : throw RequestException.Field("labels", $"'labels' and the key's scope hold {labels.Count} labels together; at most {SessionLimits.MaxLabels} are allowed.");
    }

    private static List<string> ReadTopics(FieldReader? f, Dictionary<string, string>? labels)
    {
        var topics = f?.StringList("topics", SubscriberTokens.MaxTopics);
        if (topics is null)
        {
            // Everything the token may be given: summaries and usage are fleet-wide, so not with a labels scope.
            return labels is null ? [.. AllTopics] : [.. AllTopics.Where(t => t is not (TopicRoute.SummaryTopic or TopicRoute.UsageTopic))];
        }

        if (topics.Count == 0)
        {
            throw RequestException.Field("topics", "'topics' needs at least one topic pattern, e.g. [\"sessions\", \"session:*\"].");
        }

        foreach (var t in topics)
        {
            if (TopicPattern.Validate(t) is { } error)
            {
                throw RequestException.Field("topics", $"'topics': {error}.");
            }

            if (labels is not null && t is TopicRoute.SummaryTopic or TopicRoute.UsageTopic)
            {
                throw RequestException.Field("topics", $"'{t}' is fleet-wide, so a token with 'labels' cannot include it; leave it out.");
            }
        }

        return topics;
    }

    private static Dictionary<string, string>? ReadLabels(FieldReader? f)
    {
        if (f?.Labels("labels") is not { } labels)
        {
            return null;
        }

        if (labels.Count is 0 or > SessionLimits.MaxLabels)
        {
            throw RequestException.Field("labels", $"'labels' scopes the token to sessions carrying all of them: 1 to {SessionLimits.MaxLabels} labels, or leave it out.");
        }

        foreach (var (key, value) in labels)
        {
            if (!WriteValidator.IsLabelKey(key) || value.Length > SessionLimits.MaxLabelValueLength)
            {
                throw RequestException.Field("labels",
                    $"Label keys are 1-{SessionLimits.MaxLabelKeyLength} characters from [A-Za-z0-9._:/-] and values at most {SessionLimits.MaxLabelValueLength} characters.");
            }
        }

        return new Dictionary<string, string>(labels, StringComparer.Ordinal);
    }

    private static TimeSpan ReadLifetime(FieldReader? f, SecurityOptions security)
    {
        var max = (long)security.TokenMaxLifetime.TotalSeconds;
        if (f?.Long("ttl_seconds") is not { } ttl)
        {
            return security.TokenLifetime;
        }

        return ttl >= 1 && ttl <= max ? TimeSpan.FromSeconds(ttl)
            : throw RequestException.Field("ttl_seconds", $"'ttl_seconds' must be from 1 to {max} (the server's TokenMaxLifetime); got {ttl}.");
    }
}
