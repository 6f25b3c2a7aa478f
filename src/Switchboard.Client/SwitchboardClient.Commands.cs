using System.Globalization;
using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Commands to the producers of sessions: issue, read, long-poll, acknowledge, withdraw.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Issues a command to the producer of a session (<c>POST /api/sessions/{id}/commands</c>). Needs an operator key. Not
    /// retried after an uncertain failure (it would issue a second command).
    /// </summary>
    /// <exception cref="SwitchboardApiException">Unknown session (404), a terminating or terminated session or one that takes no commands (409), a bad field (400), a read key (403).</exception>
    public Task<SessionCommand> IssueCommandAsync(string sessionId, NewCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var body = WireJson.CommandBody(command);
        return _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/commands"), body, RetryMode.IfNotApplied, WireJson.ReadCommand, cancellationToken);
    }

    /// <summary>A session's commands in the order issued, only those in <paramref name="states"/> when any are given.</summary>
    public Task<CommandList> ListCommandsAsync(string sessionId, IEnumerable<CommandState>? states = null, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, ApiPaths.Session(sessionId, "/commands") + ApiPaths.StateFilter(states, "?"), null, RetryMode.Always, WireJson.ReadCommandList, cancellationToken);

    /// <summary>
    /// The producer's long-poll (<c>GET …/commands?wait=N</c>): answers as soon as a command is pending (or in
    /// <paramref name="states"/>), or after <paramref name="wait"/> with none. With a write key, exactly the commands it
    /// answers with are handed over (they become delivered), and a delivered command not acknowledged within the server's
    /// <c>Commands:RedeliverAfter</c> (30 s) counts as pending again. That is why it is retried after any failure, a lost
    /// answer included: a command handed over in an answer that never arrived comes again in a later poll once its
    /// visibility timeout passes, with <see cref="SessionCommand.Attempt"/> one higher, so a retried poll loses nothing.
    /// </summary>
    public Task<CommandList> PollCommandsAsync(string sessionId, TimeSpan wait, IEnumerable<CommandState>? states = null, CancellationToken cancellationToken = default)
    {
        var seconds = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return _api.SendAsync(HttpMethod.Get, ApiPaths.Session(sessionId, "/commands") + "?wait=" + seconds + ApiPaths.StateFilter(states, "&"), null, RetryMode.Always,
            WireJson.ReadCommandList, cancellationToken);
    }

    /// <summary>One command of a session, or null.</summary>
    public async Task<SessionCommand?> GetCommandAsync(string sessionId, string commandId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _api.SendAsync(HttpMethod.Get, ApiPaths.Command(sessionId, commandId), null, RetryMode.Always, WireJson.ReadCommand, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.Code == "command_not_found")
        {
            return null;
        }
    }

    /// <summary>
    /// The producer's answer to a command (<c>POST …/commands/{cid}/ack</c>). The same answer again succeeds with the same
    /// result, so this is retried after any failure; a different answer, or one to an expired or withdrawn command, is a 409.
    /// </summary>
    public Task<SessionCommand> AcknowledgeCommandAsync(string sessionId, string commandId, CommandOutcome outcome = CommandOutcome.Done, string? note = null,
        CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, ApiPaths.Command(sessionId, commandId) + "/ack", RequestJson.Object(w =>
        {
            w.WriteString("outcome", WireJson.ToWire(outcome));
            if (note is not null)
            {
                w.WriteString("note", note);
            }
        }), RetryMode.Always, WireJson.ReadCommand, cancellationToken);

    /// <summary>Withdraws a pending command (<c>DELETE …/commands/{cid}</c>); a 409 once a producer was handed it.</summary>
    public Task<SessionCommand> WithdrawCommandAsync(string sessionId, string commandId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Delete, ApiPaths.Command(sessionId, commandId), null, RetryMode.Always, WireJson.ReadCommand, cancellationToken);
}
