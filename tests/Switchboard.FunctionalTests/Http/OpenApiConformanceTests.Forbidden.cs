using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Security;
using Switchboard.Testing;

namespace Switchboard.FunctionalTests.Http;

/// <summary>The access sweep's account of 403: every operation that documents it answered it to the sweep, or names the other cause that sends it.</summary>
public sealed partial class OpenApiConformanceTests
{
    /// <summary>
    /// The operations whose documented 403 has a cause the access sweep does not send, with that cause. Everything else
    /// that documents 403 must have answered it to one of the sweep's requests.
    /// </summary>
    private static readonly Dictionary<string, string> ForbiddenByAnotherCause = new()
    {
        ["GET /api/sessions"] = OriginOnly,
        ["GET /api/sessions/{id}"] = OriginOnly,
        ["GET /api/sessions/{id}/children"] = OriginOnly,
        ["GET /api/sessions/{id}/tree"] = OriginOnly,
        ["GET /api/events"] = OriginOnly,
        ["GET /api/usage"] = OriginOnly,
        ["GET /api/auth"] = OriginOnly,
        ["GET /api/fleet"] = OriginOnly,
        ["OPTIONS /v1/stream/{path}"] = "only a page of a foreign origin: a preflight takes no credentials",
        ["POST /v1/slack/interactions"] = "a click signed by Slack from a Slack user mapped to no operator (SlackInteractionsMatchTheDocument)",
    };

    private const string OriginOnly = "only a page of a foreign origin: every key may read it, and a labels scope narrows what it answers (a session outside it is 404)";

    /// <summary>What is wrong with the 403s documented and seen (<paramref name="forbidden"/>: each operation's, by cause).</summary>
    private IEnumerable<string> ForbiddenNeverAnswered(Dictionary<string, List<string>> forbidden)
    {
        var listed = new HashSet<string>(ForbiddenByAnotherCause.Keys);
        foreach (var (method, template, operation) in _document.Operations())
        {
            var label = $"{method} {template}";
            var seen = forbidden.GetValueOrDefault(label) ?? [];
            var other = listed.Remove(label) ? ForbiddenByAnotherCause[label] : null;
            if (Documents(operation, 403) && seen.Count == 0 && other is null)
            {
                yield return $"{label}: documents 403, but nothing in the access sweep answered it; if another cause does, list it in {nameof(ForbiddenByAnotherCause)}";
            }
            else if (other is not null && (seen.Count > 0 || !Documents(operation, 403)))
            {
                yield return $"{label}: listed in {nameof(ForbiddenByAnotherCause)} ({other}), but "
                    + (seen.Count > 0 ? $"the sweep answered it 403 ({string.Join("; ", seen)})" : "it documents no 403");
            }
        }

        foreach (var label in listed)
        {
            yield return $"{label}: listed in {nameof(ForbiddenByAnotherCause)}, but the document has no such operation";
        }
    }

    /// <summary>The operations ("GET /api/…") that tell a subscriber token presented as the key from an unknown key (403, not 401).</summary>
    private static HashSet<string> TokenIsNoKeyRoutes(SwitchboardServer server) =>
    [
        .. server.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<SubscriberTokenForbidden>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText?.TrimEnd('/')}")),
    ];
}
