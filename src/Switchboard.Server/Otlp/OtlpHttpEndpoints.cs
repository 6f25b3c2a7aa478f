using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Switchboard.Core.Storage;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Metrics;
using Switchboard.Server.Options;
using Switchboard.Server.Otlp.Options;
using Switchboard.Server.Otlp.Wire;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Otlp;

/// <summary>
/// OTLP/HTTP on the main listener: <c>POST /v1/traces</c>, <c>/v1/logs</c> and <c>/v1/metrics</c>, protobuf or JSON,
/// optionally gzip. Guarded like the API (origin, a write-scoped key when keys are configured, the write rate), then by the
/// node's cap on concurrent OTLP requests (<see cref="OtlpRequestGate"/>), all before the body is read. Answers as the
/// OTLP specification says: 200 with <c>partial_success</c> when records were refused, 400 for a body that does not
/// decode, 413 over <see cref="OtlpOptions.MaxBodyBytes"/>, 415 for another content type or encoding, 503 with
/// <c>Retry-After</c> past the concurrency cap, under admission control or while the store is unavailable. A refused
/// request writes nothing.
/// </summary>
internal static class OtlpHttpEndpoints
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    public static void Map(IEndpointRouteBuilder root)
    {
        var v1 = root.MapGroup("/v1");
        v1.AddEndpointFilter<UnexpectedErrorFilter>();
        v1.AddEndpointFilter<StoppingFilter>();
        v1.AddEndpointFilter<ApiAccessFilter>();
        v1.MapPost("/traces", (HttpContext http, OtlpReceiver receiver, OtlpRequestGate gate, SwitchboardOptions options, SwitchboardMetrics metrics, TimeProvider time, ILogger<OtlpReceiver> logger) =>
            HandleAsync(http, OtlpSignal.Traces, receiver, gate, options.Otlp, metrics, time, logger)).Describe(OtlpSignal.Traces);
        v1.MapPost("/logs", (HttpContext http, OtlpReceiver receiver, OtlpRequestGate gate, SwitchboardOptions options, SwitchboardMetrics metrics, TimeProvider time, ILogger<OtlpReceiver> logger) =>
            HandleAsync(http, OtlpSignal.Logs, receiver, gate, options.Otlp, metrics, time, logger)).Describe(OtlpSignal.Logs);
        v1.MapPost("/metrics", (HttpContext http, OtlpReceiver receiver, OtlpRequestGate gate, SwitchboardOptions options, SwitchboardMetrics metrics, TimeProvider time, ILogger<OtlpReceiver> logger) =>
            HandleAsync(http, OtlpSignal.Metrics, receiver, gate, options.Otlp, metrics, time, logger)).Describe(OtlpSignal.Metrics);
    }

    /// <summary>The operation in the OpenAPI document: the protocol's statuses, as this server answers them.</summary>
    private static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, OtlpSignal signal) =>
        builder.WithTags("OpenTelemetry").WithName("Export" + signal.ToString())
            .Body(required: true, (Protobuf, OpenApiOperations.Schemas.Binary), (Json, OtlpSchemas.Request(signal)))
            .RequestHeaders(new WireHeader("Content-Encoding", "gzip, identity, or none; another encoding is refused with 415."))
            .Answer(StatusCodes.Status200OK, Protobuf, OpenApiOperations.Schemas.Binary)
            .Answer(StatusCodes.Status200OK, Json, OtlpSchemas.Answer(signal))
            .Problems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);

    private static async Task<IResult> HandleAsync(HttpContext http, OtlpSignal signal, OtlpReceiver receiver, OtlpRequestGate gate, OtlpOptions options,
        SwitchboardMetrics metrics, TimeProvider time, ILogger logger)
    {
        var started = time.GetTimestamp();
        var entered = gate.TryEnter();
        try
        {
            var (result, counted) = entered
                ? await ReceiveAsync(http, signal, receiver, options)
                : (new ProblemResult(StatusCodes.Status503ServiceUnavailable, "overloaded", "Service unavailable", gate.Refusal)
                {
                    RetryAfterSeconds = (int)OtlpRequestGate.RetryAfter.TotalSeconds,
                }, false);
            if (result is ProblemResult problem)
            {
                if (!counted)
                {
                    receiver.Count(signal, "refused", 1); // it never decoded: the request is the one record known
                }

                OtlpLog.Refused(logger, signal.ToWire(), problem.Detail);
            }

            return result;
        }
        finally
        {
            if (entered)
            {
                gate.Exit();
            }

            metrics.OtlpRequestDuration.Record(time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("signal", signal.ToWire()), new KeyValuePair<string, object?>("transport", "http"));
        }
    }

    /// <summary>The answer, and whether the receiver already counted the request's records (it decoded and was mapped).</summary>
    private static async Task<(IResult Result, bool Counted)> ReceiveAsync(HttpContext http, OtlpSignal signal, OtlpReceiver receiver, OtlpOptions options)
    {
        var request = http.Request;
        bool json;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType))
        {
            return (Unsupported($"The content type must be {Protobuf} or {Json}; got none."), false);
        }
        else if (mediaType.MediaType.Equals(Protobuf, StringComparison.OrdinalIgnoreCase))
        {
            json = false;
        }
        else if (mediaType.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
        {
            json = true;
        }
        else
        {
            return (Unsupported($"The content type must be {Protobuf} or {Json}; got '{mediaType.MediaType}'."), false);
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (Unsupported($"The content encoding must be gzip or none; got '{encoding}'."), false);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxBodyBytes;
        }

        BodyBuffer body;
        try
        {
            body = await ReadAsync(request, gzip, options.MaxBodyBytes, http.RequestAborted);
        }
        catch (RequestException ex)
        {
            return (ex.Problem, false);
        }

        OtlpRequest message;
        try
        {
            message = OtlpCodec.Decode(signal, body.Written.Span, json);
        }
        catch (Exception ex) when (ex is OtlpWireException or InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            return (new ProblemResult(StatusCodes.Status400BadRequest, "malformed_otlp", "Bad request",
                $"The body is not an OTLP {signal.ToWire()} export request in {(json ? "OTLP JSON" : "protobuf")}: {ex.Message}"), false);
        }
        finally
        {
            body.Dispose(); // decoded: the request holds its own copy, and the node's body budget gets the bytes back
        }

        OtlpOutcome outcome;
        try
        {
            outcome = await receiver.ReceiveAsync(signal, message, ApiAccessFilter.IdentityOf(http), http.RequestAborted);
        }
        catch (StoreUnavailableException ex)
        {
            return (UnavailableProblem.For(ex, "The telemetry was not recorded"), true);
        }

        var answer = OtlpCodec.Encode(OtlpCodec.Answer(signal, outcome.Rejected, outcome.Message), json);
        return (Results.Bytes(answer, json ? Json : Protobuf), true);
    }

    private static ProblemResult Unsupported(string detail) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Unsupported media type", detail);

    /// <summary>The body (gzip undone) in a buffer the caller disposes; throws <see cref="RequestException"/> with 413, 400 or 503.</summary>
    private static async Task<BodyBuffer> ReadAsync(HttpRequest request, bool gzip, long maxBytes, CancellationToken ct)
    {
        var source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        try
        {
            return await BoundedBody.ReadAsync(request, source, maxBytes, () => TooLarge(request, maxBytes), ct);
        }
        catch (InvalidDataException ex)
        {
            throw new RequestException(new ProblemResult(StatusCodes.Status400BadRequest, "malformed_otlp", "Bad request",
                $"The body is not valid gzip: {ex.Message}"));
        }
        finally
        {
            if (gzip)
            {
                await source.DisposeAsync();
            }
        }
    }

    private static RequestException TooLarge(HttpRequest request, long maxBytes)
    {
        request.HttpContext.Response.Headers.Connection = "close";
        return new(new ProblemResult(StatusCodes.Status413PayloadTooLarge, "body_too_large", "Payload too large",
            $"The OTLP body is larger than {maxBytes} bytes (after gzip). Export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE), or raise Switchboard:Otlp:MaxBodyBytes."));
    }
}
