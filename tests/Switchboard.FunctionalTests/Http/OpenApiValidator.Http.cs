using System.Text.Json;

namespace Switchboard.FunctionalTests.Http;

/// <summary>The validator's HTTP side: headers a handler reads or sets itself, and media types by name or by range.</summary>
internal sealed partial class OpenApiValidator
{
    /// <summary>
    /// Request headers sent that the operation does not document, of the kinds a handler reads itself (the protocol's own,
    /// Phoenix's and Slack's, conditional and resume headers); headers any HTTP client sends are not checked.
    /// </summary>
    public static List<string> CheckRequestHeaders(JsonElement operation, IEnumerable<string> names)
    {
        var documented = operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!)
                .ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        return names.Where(IsProtocolHeader).Where(n => !documented.Contains(n)).Select(n => $"request header '{n}' is not in the document").ToList();
    }

    /// <summary>Headers a handler sets or reads itself, which the document must name.</summary>
    private static bool IsProtocolHeader(string name) =>
        name.StartsWith("Stream-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Producer-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("X-Slack-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-Phoenix-", StringComparison.OrdinalIgnoreCase)
        || name is "Last-Event-ID" or "If-None-Match" or "Content-Encoding" or "ETag" or "Location" or "X-Accel-Buffering";

    private bool IsText(JsonElement media) =>
        media.TryGetProperty("schema", out var schema) && Resolve(schema).TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && type.GetString() == "string";

    /// <summary>The media type object for <paramref name="contentType"/>: by name (parameters aside), then type/*, then */*.</summary>
    private static JsonElement? Media(JsonElement content, string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        static string Bare(string type) => type.Split(';')[0].Trim().ToLowerInvariant();
        var wanted = Bare(contentType);
        var listed = content.EnumerateObject().ToList();
        foreach (var candidate in new[] { wanted, wanted.Split('/')[0] + "/*", "*/*" })
        {
            if (listed.FirstOrDefault(m => Bare(m.Name) == candidate) is { Value.ValueKind: JsonValueKind.Object } found)
            {
                return found.Value;
            }
        }

        return null;
    }
}
