using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Core.Json;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;

namespace Switchboard.Server.Sessions;

/// <summary>
/// <c>POST /api/batch</c>: many operations, one commit, a result for each. An operation that is malformed or
/// refused gets its own problem and leaves no trace; the others still apply.
/// </summary>
internal static class BatchEndpoint
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("/batch", HandleAsync).WithTags("Sessions").WithName("Batch")
            .JsonBody<BatchRequest>().Produces<BatchResponse>().Problems(400, 413);

    private static async Task<IResult> HandleAsync(HttpContext http, WriteIntake writer, SwitchboardOptions options)
    {
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, http.RequestAborted);
            var root = new FieldReader(body!.RootElement, ["operations"], shallow: true);
            if (!root.Has("operations") || body.RootElement.GetProperty("operations") is not { ValueKind: JsonValueKind.Array } operations)
            {
                return ProblemResult.BadRequest("The body must be {\"operations\": [...]} with an array of operations.", "operations");
            }

            var count = operations.GetArrayLength();
            if (count > options.Http.MaxBatchOperations)
            {
                return ProblemResult.BadRequest($"A batch holds at most {options.Http.MaxBatchOperations} operations; got {count}. Split it.", "operations");
            }

            // Parse every operation first; a malformed one (or one outside a scoped key's labels) gets its problem and is not
            // sent to the store.
            var problems = new ProblemResult?[count];
            var writes = new List<SessionWrite>(count);
            var positions = new List<int>(count);
            var i = 0;
            foreach (var op in operations.EnumerateArray())
            {
                try
                {
                    writes.Add(ScopedWrites.For(http, WriteRequests.BatchOperation(op, i)));
                    positions.Add(i);
                }
                catch (RequestException ex)
                {
                    problems[i] = ex.Problem;
                }

                i++;
            }

            var results = await writer.WriteManyAsync(writes, http.RequestAborted);
            var outcomes = new (WriteResult? Result, SessionWrite? Write)[count];
            for (var j = 0; j < results.Count; j++)
            {
                outcomes[positions[j]] = (results[j], writes[j]);
            }

            return new JsonResult(StatusCodes.Status200OK, w => WriteResults(w, problems, outcomes));
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "Nothing in the batch was persisted");
        }
    }

    private static void WriteResults(Utf8JsonWriter w, ProblemResult?[] problems, (WriteResult? Result, SessionWrite? Write)[] outcomes)
    {
        w.WriteStartObject();
        w.WriteStartArray("results");
        for (var i = 0; i < outcomes.Length; i++)
        {
            var problem = problems[i] ?? (outcomes[i].Result?.Error is { } e ? ProblemResult.From(e) : null);
            w.WriteStartObject();
            if (problem is not null)
            {
                w.WriteNumber("status", problem.Status);
                w.WritePropertyName("problem");
                problem.Write(w);
            }
            else
            {
                w.WriteNumber("status", outcomes[i].Write is CreateSession ? StatusCodes.Status201Created : StatusCodes.Status200OK);
                w.WritePropertyName("session");
                SessionJson.Write(w, outcomes[i].Result!.Session!);
                if (outcomes[i].Result!.Commands is { } commands)
                {
                    Switchboard.Core.Commands.CommandJson.WriteList(w, "commands", commands);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
