using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchboard.Core.Errors;

namespace Switchboard.Server.Responses;

/// <summary>An RFC 9457 <c>application/problem+json</c> response that says what was wrong and how to fix it.</summary>
internal sealed class ProblemResult(int status, string code, string title, string detail, string? field = null) : IResult
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Detail { get; } = detail;

    /// <summary>Seconds, for 429 and 503.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The <c>WWW-Authenticate</c> challenge, for 401 and 403.</summary>
    public string? Challenge { get; init; }

    public static ProblemResult From(SwitchboardError error) => new(StatusFor(error.Kind), error.Code, TitleFor(error.Kind), HttpFixes.Detail(error), error.Field)
    {
        RetryAfterSeconds = error.Kind == ErrorKind.Unavailable ? 1 : null,
    };

    public static ProblemResult BadRequest(string detail, string? field = null) =>
        new(StatusCodes.Status400BadRequest, "invalid_request", "Invalid request", detail, field);

    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Gone => StatusCodes.Status410Gone,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.TooMany => StatusCodes.Status429TooManyRequests,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleFor(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => "Invalid request",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.Gone => "Gone",
        ErrorKind.Unavailable => "Service unavailable",
        ErrorKind.TooMany => "Too many requests",
        ErrorKind.Forbidden => "Forbidden",
        _ => "Error",
    };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/problem+json";
        if (RetryAfterSeconds is { } retry)
        {
            response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Challenge is not null)
        {
            response.Headers.WWWAuthenticate = Challenge;
        }

        await using var writer = new Utf8JsonWriter(response.BodyWriter, JsonResult.WriterOptions);
        Write(writer, httpContext.Request.Path);
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    /// <summary>Writes the problem object (also used inside batch results).</summary>
    public void Write(Utf8JsonWriter w, string? instance = null)
    {
        w.WriteStartObject();
        w.WriteString("type", "urn:switchboard:problem:" + Code);
        w.WriteString("title", title);
        w.WriteNumber("status", Status);
        w.WriteString("detail", Detail);
        if (instance is not null)
        {
            w.WriteString("instance", instance);
        }

        w.WriteString("code", Code);
        if (field is not null)
        {
            w.WriteString("field", field);
        }

        w.WriteEndObject();
    }
}
