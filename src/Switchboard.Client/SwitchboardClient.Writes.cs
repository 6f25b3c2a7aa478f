using Switchboard.Client.Http;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>Producer calls: every write endpoint.</summary>
public sealed partial class SwitchboardClient
{
    /// <summary>
    /// Creates a session (<c>POST /api/sessions</c>). Without an id the client picks a random one, so a create whose
    /// answer was lost can be retried: a <c>session_exists</c> then can only be the earlier attempt, and that session is returned.
    /// </summary>
    /// <exception cref="SwitchboardApiException">Refused: invalid field (400), the id is taken (409).</exception>
    public async Task<Session> CreateSessionAsync(NewSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var generated = session.Id is null;
        var request = generated ? session with { Id = NewSessionId() } : session;
        var body = RequestJson.Object(w => RequestJson.CreateFields(w, request));
        try
        {
            // A create can never apply twice (ids are unique), so repeating it is always harmless.
            return await _api.SendAsync(HttpMethod.Post, "api/sessions", body, RetryMode.Always, WireJson.ReadSession, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.AfterUncertainAttempt && ex.Code == "session_exists")
        {
            if (generated && await GetSessionAsync(request.Id!, cancellationToken).ConfigureAwait(false) is { } ours)
            {
                return ours; // the id was random and never handed out: only our own earlier attempt can have created it
            }

            throw new SwitchboardApiException(ex.Problem with
            {
                Detail = ex.Problem.Detail + " An earlier attempt of this request failed in transit and may have created it.",
            });
        }
    }

    /// <summary>
    /// Applies a partial update (<c>PATCH /api/sessions/{id}</c>). With <see cref="SessionUpdate.ExpectedVersion"/> the
    /// update is retried after any failure: if an earlier attempt landed, the session is at exactly the next version and
    /// holds every requested value, and that session is returned. Without it, only failures that provably did not apply are retried.
    /// </summary>
    /// <exception cref="SwitchboardApiException">Refused: unknown session (404), forbidden transition or stale version (409), invalid field (400).</exception>
    public async Task<Session> UpdateSessionAsync(string sessionId, SessionUpdate update, CancellationToken cancellationToken = default) =>
        (await UpdateWithCommandsAsync(sessionId, update, cancellationToken).ConfigureAwait(false)).Session;

    /// <summary>As <see cref="UpdateSessionAsync"/>, with the outstanding commands the answer carries (none after a recovered conflict).</summary>
    internal async Task<(Session Session, IReadOnlyList<SessionCommand> Commands)> UpdateWithCommandsAsync(string sessionId, SessionUpdate update,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var body = RequestJson.Object(w => RequestJson.UpdateFields(w, update));
        var mode = update.ExpectedVersion is null ? RetryMode.IfNotApplied : RetryMode.Always;
        try
        {
            return await _api.SendAsync(HttpMethod.Patch, ApiPaths.Session(sessionId), body, mode, WireJson.ReadSessionWithCommands, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.AfterUncertainAttempt && ex.Code == "version_conflict" && update.ExpectedVersion is { } expected)
        {
            var current = await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Version == expected + 1 && update.IsSatisfiedBy(current))
            {
                return (current, []);
            }

            throw;
        }
    }

    /// <summary>
    /// Adds usage (<c>POST /api/sessions/{id}/usage</c>). Increments are not idempotent, so this is retried only when the
    /// server provably did not apply it (no connection, or 503/429); any other failure is thrown.
    /// </summary>
    public async Task<Session> AddUsageAsync(string sessionId, Usage usage, CancellationToken cancellationToken = default) =>
        (await AddUsageWithCommandsAsync(sessionId, usage, cancellationToken).ConfigureAwait(false)).Session;

    /// <summary>As <see cref="AddUsageAsync"/>, with the outstanding commands the answer carries.</summary>
    internal Task<(Session Session, IReadOnlyList<SessionCommand> Commands)> AddUsageWithCommandsAsync(string sessionId, Usage usage, CancellationToken cancellationToken)
    {
        var body = RequestJson.Object(w => RequestJson.UsageFields(w, usage));
        return _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/usage"), body, RetryMode.IfNotApplied, WireJson.ReadSessionWithCommands, cancellationToken);
    }

    /// <summary>Renews the session's lease (<c>POST /api/sessions/{id}/heartbeat</c>); always safe to retry.</summary>
    public Task<HeartbeatResult> HeartbeatAsync(string sessionId, CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/heartbeat"), null, RetryMode.Always, WireJson.ReadHeartbeat, cancellationToken);

    /// <summary>
    /// Terminates the session (<c>POST /api/sessions/{id}/terminate</c>). Terminating a terminated session changes nothing
    /// and succeeds, so this is always retried.
    /// </summary>
    public async Task<Session> TerminateSessionAsync(string sessionId, string? reason = null, long? expectedVersion = null,
        CancellationToken cancellationToken = default)
    {
        var body = RequestJson.Object(w => RequestJson.TerminateFields(w, reason, expectedVersion));
        try
        {
            return await _api.SendAsync(HttpMethod.Post, ApiPaths.Session(sessionId, "/terminate"), body, RetryMode.Always, WireJson.ReadSession, cancellationToken).ConfigureAwait(false);
        }
        catch (SwitchboardApiException ex) when (ex.AfterUncertainAttempt && ex.Code == "version_conflict" && expectedVersion is { } expected)
        {
            var current = await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (current is { State: SessionState.Terminated } && current.Version == expected + 1)
            {
                return current;
            }

            throw;
        }
    }

    /// <summary>
    /// Applies many operations in one commit (<c>POST /api/batch</c>), each with its own result; a refused one leaves no
    /// trace. Retried only when the server provably did not apply it.
    /// </summary>
    public Task<IReadOnlyList<BatchResult>> BatchAsync(IEnumerable<BatchOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var list = operations.ToList();
        var body = RequestJson.Object(w =>
        {
            w.WriteStartArray("operations");
            foreach (var op in list)
            {
                op.Write(w);
            }

            w.WriteEndArray();
        });
        return _api.SendAsync(HttpMethod.Post, "api/batch", body, RetryMode.IfNotApplied, WireJson.ReadBatch, cancellationToken);
    }

    /// <summary>Pauses the fleet (<c>POST /api/fleet/pause</c>); producers read the flag with <see cref="GetFleetPausedAsync"/>.</summary>
    public Task<bool> PauseFleetAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/fleet/pause", null, RetryMode.Always, ReadPaused, cancellationToken);

    /// <summary>Resumes the fleet (<c>POST /api/fleet/resume</c>).</summary>
    public Task<bool> ResumeFleetAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Post, "api/fleet/resume", null, RetryMode.Always, ReadPaused, cancellationToken);

    /// <summary>True when an operator paused the fleet (<c>GET /api/fleet</c>).</summary>
    public Task<bool> GetFleetPausedAsync(CancellationToken cancellationToken = default) =>
        _api.SendAsync(HttpMethod.Get, "api/fleet", null, RetryMode.Always, ReadPaused, cancellationToken);

    private static bool ReadPaused(System.Text.Json.JsonElement e) => e.GetProperty("is_paused").GetBoolean();
}
