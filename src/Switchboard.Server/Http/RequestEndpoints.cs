using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Http;

/// <summary>
/// The endpoint pattern of every kind of request to a session (docs/architecture.md "Requests to a session"), configured
/// by the kind's path segment, its JSON and where a write's result carries it: a group under
/// <c>/sessions/{id}/{kind}</c> that refuses subscriber tokens; a write answers with the request, or its problem, or 503
/// when the store is unavailable; a list is <c>{"{kind}": [...], "as_of_seq": n}</c>.
/// </summary>
internal sealed class RequestEndpoints<T>(string plural, Action<Utf8JsonWriter, T> write, Action<Utf8JsonWriter, string, IEnumerable<T>> writeList,
    Func<WriteResult, T?> resultOf) where T : class, ISessionRequest
{
    /// <summary>The kind's routes under <paramref name="api"/>; a subscriber token is recognised and refused with 403 (it opens streams, it asks and answers nothing).</summary>
    public RouteGroupBuilder Group(IEndpointRouteBuilder api, string tag) =>
        api.MapGroup($"/sessions/{{id}}/{plural}").WithTags(tag).WithMetadata(new SubscriberTokenForbidden());

    /// <summary>
    /// Submits <paramref name="request"/> and answers with <paramref name="answer"/> of the request it wrote; a refusal is
    /// its problem (<paramref name="refused"/> hears it first), an unavailable store a 503 saying <paramref name="whatDidNotHappen"/>.
    /// </summary>
    public async Task<IResult> WriteAsync(WriteIntake writer, SessionWrite request, string whatDidNotHappen, Func<T, Task<IResult>> answer, CancellationToken ct,
        Action<SwitchboardError>? refused = null)
    {
        try
        {
            var result = await writer.WriteAsync(request, ct);
            if (result.Error is { } error)
            {
                refused?.Invoke(error);
                return ProblemResult.From(error);
            }

            return await answer(resultOf(result)!);
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, whatDidNotHappen);
        }
    }

    /// <summary>As the other overload, for an answer that is ready at once.</summary>
    public Task<IResult> WriteAsync(WriteIntake writer, SessionWrite request, string whatDidNotHappen, Func<T, IResult> answer, CancellationToken ct) =>
        WriteAsync(writer, request, whatDidNotHappen, r => Task.FromResult(answer(r)), ct);

    /// <summary>200 with the request.</summary>
    public JsonResult Ok(T request) => new(StatusCodes.Status200OK, w => write(w, request));

    /// <summary>201 with the request, located under the collection it was posted to.</summary>
    public JsonResult Created(HttpContext http, T request) => new(StatusCodes.Status201Created, w => write(w, request))
    {
        Location = $"{http.Request.PathBase}{http.Request.Path.Value?.TrimEnd('/')}/{request.Id}",
    };

    /// <summary>200 with the requests, read after the head <paramref name="asOf"/> (every event of theirs up to it is in them).</summary>
    public JsonResult List(IReadOnlyList<T> requests, long asOf) => new(StatusCodes.Status200OK, w =>
    {
        w.WriteStartObject();
        writeList(w, plural, requests);
        w.WriteNumber("as_of_seq", asOf);
        w.WriteEndObject();
    });
}
