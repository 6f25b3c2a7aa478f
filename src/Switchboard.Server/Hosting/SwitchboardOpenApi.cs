using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Hosting;

/// <summary>The OpenAPI document: snake_case property names, as on the wire, without touching the host app's JSON options.</summary>
internal static class SwitchboardOpenApi
{
    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Switchboard";
            document.Info.Description = "Real-time session server: producers report sessions over HTTP; consumers subscribe over Phoenix Channels (WebSocket, long-poll) or SSE.";
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, _, _) =>
        {
            if (schema.Properties is { Count: > 0 } properties)
            {
                var renamed = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
                properties.Clear();
                foreach (var (name, value) in renamed)
                {
                    properties[name] = value;
                }

                if (schema.Required is { Count: > 0 } required)
                {
                    var names = required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName).ToList();
                    required.Clear();
                    foreach (var n in names)
                    {
                        required.Add(n);
                    }
                }
            }

            return Task.CompletedTask;
        });
    }
}
