using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Server.Responses;

/// <summary>A JSON response written straight to the body with <see cref="Utf8JsonWriter"/> (snake_case by construction).</summary>
internal sealed class JsonResult(int status, Action<Utf8JsonWriter> write) : IResult
{
    /// <summary>Responses are application/json, never HTML, so quotes and apostrophes need no escaping.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string? Location { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        await using var writer = new Utf8JsonWriter(response.BodyWriter, JsonResult.WriterOptions);
        write(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }
}
