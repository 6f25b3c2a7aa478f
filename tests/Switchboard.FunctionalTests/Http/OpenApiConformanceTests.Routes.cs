using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.FunctionalTests.Http;

/// <summary>Every route the server maps is in the document, but for the few that are not request and response.</summary>
public sealed partial class OpenApiConformanceTests
{
    /// <summary>Left out on purpose, as the document builder's remarks say why (SwitchboardOpenApi).</summary>
    private static readonly HashSet<string> NotDescribed =
    [
        "* /socket/websocket", "* /socket/longpoll", "* /api/{path}",
        "GET /mcp", "POST /mcp", "DELETE /mcp",
        "GET /", "GET /dashboard/{path}", "GET /openapi/v1.json",
    ];

    [Fact]
    public void EveryMappedRouteIsInTheDocument()
    {
        var mapped = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/').Replace("{**", "{", StringComparison.Ordinal)}"))
            .ToHashSet();
        var documented = _document.Routes().ToHashSet();

        mapped.Except(documented).Except(NotDescribed).Order().ShouldBeEmpty("mapped but not in the document");
        documented.Except(mapped).Order().ShouldBeEmpty("in the document but not mapped");
        NotDescribed.Except(mapped).ShouldBeEmpty("listed as left out but no longer mapped");
    }

    [Fact]
    public void AReadIsNeverDocumentedAsRateLimitedAndNoAnswerToHeadHasABody()
    {
        var wrong = new List<string>();
        foreach (var (method, path, operation) in _document.Operations())
        {
            var responses = operation.GetProperty("responses");
            if (method is "GET" or "HEAD" && responses.TryGetProperty("429", out _))
            {
                wrong.Add($"{method} {path}: 429, but the per-key rate limit counts writes only");
            }

            if (method == "HEAD")
            {
                wrong.AddRange(responses.EnumerateObject().Where(r => r.Value.TryGetProperty("content", out _)).Select(r => $"HEAD {path}: {r.Name} has a body"));
            }
        }

        wrong.ShouldBeEmpty();
    }
}
