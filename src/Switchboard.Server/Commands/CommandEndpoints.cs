using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using Switchboard.Core.Commands;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;
using Switchboard.Server.Http;
using Switchboard.Server.Ingest;
using Switchboard.Server.Live;
using Switchboard.Server.Options;
using Switchboard.Server.Responses;
using Switchboard.Server.Security;
using Switchboard.Server.Sessions;
using Switchboard.Server.Waiters;

namespace Switchboard.Server.Commands;

/// <summary>
/// <c>/api/sessions/{id}/commands</c>: issue, list (and the producer's long-poll), read, acknowledge and withdraw the
/// commands of one session. Every change goes through the group commit and is logged as an event (docs/commands.md).
/// </summary>
internal static class CommandEndpoints
{
    private static readonly RequestEndpoints<Command> Requests = new("commands", (w, c) => CommandJson.Write(w, c), CommandJson.WriteList, r => r.Command);

    public static void Map(IEndpointRouteBuilder api)
    {
        var commands = Requests.Group(api, "Commands");
        commands.MapPost("", IssueAsync).WithName("IssueCommand")
            .WithDescription("Issues cancel, pause, resume or message to the session's producer. Needs an operator key. A session has at most " +
                "Commands:MaxOutstandingPerSession outstanding commands (429 too_many_commands past it).")
            .JsonBody<CommandRequest>().Produces<CommandResponse>(201).Problems(400, 404, 409, 413, 429);
        commands.MapGet("", ListAsync).WithName("ListCommands")
            .WithDescription("The session's commands in the order issued. With 'wait' this is the producer's long-poll: it answers as soon as a command " +
                "matches 'state' (pending when not given), or after 'wait' seconds with none. With an agent or operator key (or auth off), 'pending' also matches a " +
                "delivered command not acknowledged within Commands:RedeliverAfter, and exactly the commands it answers with that are pending or so " +
                "due are handed over (delivered, with the next attempt).")
            .Produces<CommandListResponse>().Problems(400, 404)
            .Query(("state", JsonSchemaType.String, "Comma-separated states: pending, delivered, acknowledged, expired, withdrawn."),
                ("limit", JsonSchemaType.Integer, "At most this many (1–1000, default 100)."),
                ("wait", JsonSchemaType.Integer, "Long-poll: seconds to wait for a matching command (0 to Commands:MaxWaitSeconds)."));
        commands.MapGet("/{commandId}", GetAsync).WithName("GetCommand").Produces<CommandResponse>().Problems(404);
        commands.MapPost("/{commandId}/ack", AcknowledgeAsync).WithName("AcknowledgeCommand")
            .WithDescription("The producer's answer. The same answer again is 200 with the same command; a different one, or an answer to an expired, " +
                "withdrawn or other session's command, is 409.")
            .JsonBody<CommandAckRequest>().Produces<CommandResponse>().Problems(400, 404, 409, 413);
        commands.MapDelete("/{commandId}", WithdrawAsync).WithName("WithdrawCommand")
            .WithDescription("Withdraws a pending command (409 once a producer was handed it).")
            .Produces<CommandResponse>().Problems(404, 409);
    }

    private static async Task<IResult> IssueAsync(string id, HttpContext http, WriteIntake writer, SwitchboardOptions options, CallerNames callers,
        TimeProvider time, CancellationToken ct)
    {
        IssueCommand issue;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            issue = CommandRequests.Issue(id, body!.RootElement, callers.Of(http), time.GetUtcNow());
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        return await Requests.WriteAsync(writer, ScopedWrites.For(http, issue), "The command was not issued", c => Requests.Created(http, c), ct);
    }

    private static async Task<IResult> AcknowledgeAsync(string id, string commandId, HttpContext http, WriteIntake writer, SwitchboardOptions options,
        CancellationToken ct)
    {
        AcknowledgeCommand ack;
        try
        {
            using var body = await JsonBody.ReadAsync(http.Request, options.Http.MaxBodyBytes, allowEmpty: false, ct);
            ack = CommandRequests.Acknowledge(id, commandId, body!.RootElement);
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        return await Requests.WriteAsync(writer, ScopedWrites.For(http, ack), "The acknowledgement was not recorded", Requests.Ok, ct);
    }

    private static Task<IResult> WithdrawAsync(string id, string commandId, HttpContext http, WriteIntake writer, CancellationToken ct) =>
        Requests.WriteAsync(writer, ScopedWrites.For(http, new WithdrawCommand(id, commandId)), "The command was not withdrawn", Requests.Ok, ct);

    private static async Task<IResult> GetAsync(string id, string commandId, HttpContext http, ISessionStore sessions, IRequestStore<Command, CommandState> store, CancellationToken ct)
    {
        if (ApiAccessFilter.ScopeOf(http) is not null && await SessionEndpoints.VisibleAsync(http, sessions, id, ct) is null)
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id)); // outside the key's scope: it does not exist
        }

        var command = CommandValidator.IsValidId(commandId) ? await store.GetAsync(commandId, ct) : null;
        if (command is null || command.SessionId != id)
        {
            return await sessions.GetSessionAsync(id, ct) is null
                ? ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id))
                : ProblemResult.From(CommandWriteProcessor.CommandNotFound(id, commandId));
        }

        return Requests.Ok(command);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext http, ISessionStore sessions, IRequestStore<Command, CommandState> store, CommandWatch watch, LiveHub live,
        WriteIntake writer, SwitchboardOptions options, TimeProvider time, CancellationToken ct)
    {
        List<CommandState>? states;
        int limit;
        int? wait;
        try
        {
            states = CommandRequests.States(http.Request.Query["state"].ToString());
            limit = SessionEndpoints.QueryInt(http.Request.Query, "limit", 100, 1, 1000);
            wait = http.Request.Query.ContainsKey("wait") ? SessionEndpoints.QueryInt(http.Request.Query, "wait", 0, 0, options.Commands.MaxWaitSeconds) : null;
        }
        catch (RequestException ex)
        {
            return ex.Problem;
        }

        if (await SessionEndpoints.VisibleAsync(http, sessions, id, ct) is null)
        {
            return ProblemResult.From(Switchboard.Core.Errors.SwitchboardError.SessionNotFound(id));
        }

        if (wait is not { } seconds)
        {
            var asOf = live.HeadSeq; // read first: every command event up to it is in the rows read after it
            return Requests.List(await store.ListAsync(id, states, limit, ct), asOf);
        }

        using var waiter = watch.TryWatch(id, ApiAccessFilter.ScopeOf(http), out var refusal);
        if (waiter is null)
        {
            return new ProblemResult(StatusCodes.Status503ServiceUnavailable, "overloaded", "Service unavailable", (refusal == WaiterRefusal.OverShare
                ? $"This key's labels scope already holds as many of this node's {options.Commands.MaxWaiters} waiters as are left free for other scopes (long-polls and held hooks)"
                : $"{options.Commands.MaxWaiters} long-polls already wait for commands on this node") +
                "; retry, or learn commands from write answers or the session's topic.")
            {
                RetryAfterSeconds = 1,
            };
        }

        try
        {
            var poll = new Poll(id, states ?? [CommandState.Pending], limit, TimeSpan.FromSeconds(seconds), Delivers(http),
                new CommandPolicy(options.Commands.MaxOutstandingPerSession, options.Commands.RedeliverAfter), ApiAccessFilter.ScopeOf(http));
            return await PollAsync(poll, watch, waiter, store, live, writer, time, ct);
        }
        catch (StoreUnavailableException ex)
        {
            return UnavailableProblem.For(ex, "No command was handed over");
        }
    }

    /// <summary>A long-poll's request: the session, what it asks for, and whether it hands what it answers with over.</summary>
    private sealed record Poll(string SessionId, List<CommandState> States, int Limit, TimeSpan Wait, bool MayWrite, CommandPolicy Policy, LabelFilter? Scope);

    /// <summary>
    /// The producer's long-poll: answer as soon as a command matches, handing over (in one write) exactly the ones it
    /// answers with that are due (<see cref="CommandPoll"/>). The waiter is armed before each read, so a command issued
    /// between the read and the wait still wakes it; it wakes on command events the live loop applied, from this node or
    /// any other, and at the earliest visibility timeout of the delivered commands it read (a redelivery logs nothing
    /// until it is handed over, so no event would wake it).
    /// </summary>
    private static async Task<IResult> PollAsync(Poll poll, CommandWatch watch, Waiter<string> waiter, IRequestStore<Command, CommandState> store, LiveHub live, WriteIntake writer,
        TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var handsOver = CommandPoll.HandsOver(poll.States, poll.MayWrite);
        var read = CommandPoll.StatesToRead(poll.States, handsOver);
        var rows = CommandPoll.RowsToRead(poll.Limit, handsOver, poll.Policy);
        while (true)
        {
            waiter.Rearm();
            var asOf = live.HeadSeq;
            var now = time.GetUtcNow();
            var pick = CommandPoll.Select(await store.ListAsync(poll.SessionId, read, rows, ct), poll.States, handsOver, poll.Limit, now);
            var found = pick.Matched;
            if (pick.Due.Count > 0)
            {
                var result = await writer.WriteAsync(ScopedWrites.Within(new DeliverCommands(poll.SessionId, [.. pick.Due]), poll.Scope), ct);
                if (result.Error is { } error)
                {
                    return ProblemResult.From(error);
                }

                found = pick.Answer(result.Commands!);
            }

            if (found.Count > 0)
            {
                return Requests.List(found, asOf);
            }

            // A stopping node answers now rather than hold its shutdown for the rest of the wait.
            var remaining = poll.Wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || watch.IsStopping)
            {
                return Requests.List([], live.HeadSeq);
            }

            var untilRedelivery = pick.NextRedelivery - now;
            var slice = untilRedelivery is { } r && r < remaining ? r : remaining;
            if (!await waiter.WaitAsync(slice, ct) && slice == remaining)
            {
                return Requests.List([], live.HeadSeq);
            }
        }
    }

    /// <summary>Only a caller that may report hands commands over (a read key's long-poll only watches).</summary>
    private static bool Delivers(HttpContext http) =>
        http.Items[ApiAccessFilter.IdentityItem] is not ApiKeyIdentity identity || identity.Allows(ApiKeyRole.Agent);
}
