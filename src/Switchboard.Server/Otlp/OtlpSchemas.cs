using Microsoft.OpenApi;

namespace Switchboard.Server.Otlp;

/// <summary>
/// The OTLP/HTTP bodies in the OpenAPI document. Requests and answers are the OpenTelemetry protocol's own messages
/// (opentelemetry-proto's collector services), as protobuf or as OTLP JSON: the JSON is described as far as Switchboard
/// writes it (proto3 JSON names, 64-bit counts as strings, fields at their default left out), the request as an open object.
/// </summary>
internal static class OtlpSchemas
{
    public static Http.OpenApiOperations.Schema Request(OtlpSignal signal) => _ => new OpenApiSchema
    {
        Type = JsonSchemaType.Object,
        Description = $"An Export{Name(signal)}ServiceRequest in OTLP JSON ({ListOf(signal)}: …).",
    };

    public static Http.OpenApiOperations.Schema Answer(OtlpSignal signal) => _ => new OpenApiSchema
    {
        Type = JsonSchemaType.Object,
        Description = $"An Export{Name(signal)}ServiceResponse: {{}} when everything was taken; partialSuccess when records were refused.",
        AdditionalPropertiesAllowed = false,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["partialSuccess"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalPropertiesAllowed = false,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    [Rejected(signal)] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Pattern = "^[0-9]+$",
                        Description = "How many records were refused (a 64-bit integer, as a string in proto3 JSON; left out when 0).",
                    },
                    ["errorMessage"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Why (left out when empty)." },
                },
            },
        },
    };

    private static string Name(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "Trace",
        OtlpSignal.Logs => "Logs",
        _ => "Metrics",
    };

    private static string ListOf(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "resourceSpans",
        OtlpSignal.Logs => "resourceLogs",
        _ => "resourceMetrics",
    };

    private static string Rejected(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Traces => "rejectedSpans",
        OtlpSignal.Logs => "rejectedLogRecords",
        _ => "rejectedDataPoints",
    };
}
