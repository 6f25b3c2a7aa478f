using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Server.Http;
using Switchboard.Server.Options;
using Switchboard.Server.Security;
using Switchboard.Server.Transports.LongPoll;

namespace Switchboard.Server.Hosting;

/// <summary>
/// <c>/socket/longpoll</c>, Phoenix's long-poll transport, as the root maps and documents it (transports know nothing of
/// the HTTP API's description machinery). Every answer is HTTP 200 with the transport's status in the JSON body.
/// </summary>
internal static class LongPollRoute
{
    private const string Pattern = "/socket/longpoll";

    public static void Map(IEndpointRouteBuilder root)
    {
        root.MapGet(Pattern, LongPollEndpoint.HandleAsync).WithTags("Sockets").WithName("LongPoll")
            .WithDescription("Without a live connection key this poll connects (credentials are checked now): status 410 with the new key as `token`. "
                + "With one it waits up to Sockets:LongPollWindow for the connection's frames: 200 with them, or 204 with none.")
            .QueryParameter("vsn", JsonSchemaType.String, "The Phoenix serializer: 2.0.0 (phoenix.js) or 1.0.0, the default; another is refused with status 403.")
            .QueryParameter("token", JsonSchemaType.String, "The connection key an answer gave (the last value counts). At connect, the first value may be "
                + "a subscriber token (POST /api/tokens). A client's own params ride as further query parameters, which are ignored.")
            .RequestHeaders(AuthToken, ConnectionKey)
            .Answer(StatusCodes.Status200OK, "application/json", PollAnswer, Headers)
            .CommonProblems();
        root.MapPost(Pattern, LongPollEndpoint.HandleAsync).WithTags("Sockets").WithName("LongPollSend")
            .WithDescription("Frames for the connection, handled in order; the answer comes once a join among them is answered. The connection key is the "
                + "credential: the connecting poll checked the caller's.")
            .QueryParameter("vsn", JsonSchemaType.String, "As the connection's polls send it (the connection keeps the serializer it connected with).")
            .QueryParameter("token", JsonSchemaType.String, "The connection key (the last value counts).")
            .RequestHeaders(ConnectionKey)
            .Body(required: false,
                ("application/x-ndjson", _ => new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "Phoenix frames, one a line, as phoenix.js batches them: JSON text frames of the serializer, or base64 binary frames (2.0.0). "
                        + "The Content-Type is not checked.",
                }),
                ("application/json", _ => new OpenApiSchema
                {
                    Type = JsonSchemaType.Array | JsonSchemaType.Object,
                    Description = "One Phoenix frame (an array in 2.0.0, an object in 1.0.0), as older phoenix.js clients send it.",
                }))
            .Answer(StatusCodes.Status200OK, "application/json", SendAnswer, Headers)
            .NoApiKey().CommonProblems();
        root.MapMethods(Pattern, [HttpMethods.Options], LongPollEndpoint.HandleAsync).WithTags("Sockets").WithName("LongPollOptions")
            .WithDescription("The CORS answer (a preflight's too); without the Access-Control headers for an origin this server refuses.")
            .Answer(StatusCodes.Status200OK, null, null, [.. Headers,
                new WireHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
                new WireHeader("Access-Control-Allow-Headers", "content-type, x-phoenix-longpoll-token, x-phoenix-authtoken")])
            .NoApiKey().CommonProblems();

        // Every other method, as Phoenix: 400 with no body. A CORS preflight routes here too (the OPTIONS endpoint does
        // not take preflights), and gets the OPTIONS answer from the same handler.
        root.Map(Pattern, LongPollEndpoint.HandleAsync).WithOrder(1).ExcludeFromDescription();
    }

    private static readonly WireHeader AuthToken = new("X-Phoenix-AuthToken", "A subscriber token, as phoenix.js sends its authToken; read at connect only.");

    private static readonly WireHeader ConnectionKey = new("X-Phoenix-Longpoll-Token", "The connection key, instead of the token parameter (the header wins).");

    private static readonly WireHeader[] Headers =
    [
        new("Cache-Control", "no-store", Required: true),
        new("Access-Control-Allow-Origin", "The request's Origin (* without one) when this server accepts it; absent otherwise."),
        new("Vary", "Origin, with Access-Control-Allow-Origin."),
    ];

    /// <summary>A poll's answer: a refusal or an end (status only), or the connection's key and frames.</summary>
    private static OpenApiSchema PollAnswer(OpenApiDocument document) => new()
    {
        OneOf =
        [
            Status("403: refused (origin, vsn, credentials, or the token expired); 410: the connection ended; 500: the server is full or stopping "
                + "(phoenix.js reconnects with backoff).", 403, 410, 500),
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["status"] = StatusEnum("410: connected, `token` is the new key; 200: `messages` holds frames; 204: none came in the window.", 410, 200, 204),
                    ["token"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The connection key (Phoenix's name for it): send it back with every request." },
                    ["messages"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Array,
                        Description = "Phoenix frames, each as the serializer encodes it (binary 2.0.0 frames in base64).",
                        Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
                Required = new HashSet<string> { "status", "token", "messages" },
                AdditionalPropertiesAllowed = false,
            },
        ],
    };

    private static OpenApiSchema SendAnswer(OpenApiDocument document) =>
        Status("200: handled; 400: a line is no frame or the body is not UTF-8 (none is handled); 403: refused (origin or vsn); 410: no such connection; "
            + "413: over 100 frames' worth of bytes; 429: over the connection's message rate, which ends it.", 200, 400, 403, 410, 413, 429);

    private static OpenApiSchema Status(string description, params int[] statuses) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema> { ["status"] = StatusEnum(description, statuses) },
        Required = new HashSet<string> { "status" },
        AdditionalPropertiesAllowed = false,
    };

    private static OpenApiSchema StatusEnum(string description, params int[] statuses) => new()
    {
        Type = JsonSchemaType.Integer,
        Description = description,
        Enum = [.. statuses.Select(s => (JsonNode)JsonValue.Create(s))],
    };
}
