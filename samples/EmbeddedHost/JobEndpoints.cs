using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Writes;
using Switchboard.Server.Ingest;

namespace EmbeddedHost;

/// <summary>What a client asks for: a named job with a number of steps.</summary>
internal sealed record JobRequest(string? Name, int Steps = 3);

/// <summary>The app's own endpoints. They report to Switchboard in-process, with no HTTP hop.</summary>
internal static class JobEndpoints
{
    /// <summary>Where Program.cs maps Switchboard.</summary>
    public const string SwitchboardPrefix = "/switchboard";

    public static async Task<IResult> StartAsync(JobRequest request, ISwitchboardProducer producer, JobRunner runner, CancellationToken cancellationToken)
    {
        if (request.Steps is < 1 or > 50)
        {
            return Results.Problem(detail: $"'steps' must be from 1 to 50; got {request.Steps}.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var session = await producer.CreateAsync(new CreateSession
            {
                Name = request.Name ?? "job",
                State = SessionState.Working,
                Labels = new Dictionary<string, string> { ["app"] = "embedded-host" },
                TasksRunning = 1,
                LeaseSeconds = 30,
            }, cancellationToken);
            runner.Run(session.Id, request.Steps);
            return Results.Accepted($"{SwitchboardPrefix}/api/sessions/{session.Id}", new { id = session.Id });
        }
        catch (SwitchboardException ex)
        {
            // The same refusal the HTTP API would give, e.g. a name longer than 200 characters.
            return Results.Problem(detail: ex.Error.Detail, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    public static async Task<IResult> CancelAsync(string id, ISwitchboardProducer producer, CancellationToken cancellationToken)
    {
        try
        {
            var session = await producer.TerminateAsync(new TerminateSession(id) { Reason = "cancelled" }, cancellationToken);
            return Results.Ok(new { id = session.Id, state = session.State.ToWire() });
        }
        catch (SwitchboardException ex) when (ex.Error.Kind == ErrorKind.NotFound)
        {
            return Results.Problem(detail: ex.Error.Detail, statusCode: StatusCodes.Status404NotFound);
        }
    }
}
