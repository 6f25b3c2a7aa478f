using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>
/// Write sessions from inside the host process: the same validation, state machine, log and live events as
/// the HTTP API, without a network hop. Refused writes throw <see cref="Switchboard.Core.Errors.SwitchboardException"/>;
/// an unavailable store throws <see cref="StoreUnavailableException"/>.
/// </summary>
public interface ISwitchboardProducer
{
    /// <summary>Creates a session (an id is generated when none is given).</summary>
    Task<Session> CreateAsync(CreateSession create, CancellationToken cancellationToken = default);

    /// <summary>Applies a partial update.</summary>
    Task<Session> UpdateAsync(UpdateSession update, CancellationToken cancellationToken = default);

    /// <summary>Adds token and cost increments.</summary>
    Task<Session> AddUsageAsync(AddUsage usage, CancellationToken cancellationToken = default);

    /// <summary>Renews the session's lease.</summary>
    Task<Session> HeartbeatAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Terminates the session.</summary>
    Task<Session> TerminateAsync(TerminateSession terminate, CancellationToken cancellationToken = default);

    /// <summary>Applies several writes in one commit; each gets its own result and a refused one leaves no trace.</summary>
    Task<IReadOnlyList<WriteResult>> BatchAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Pauses or resumes the fleet.</summary>
    Task SetFleetPausedAsync(bool paused, CancellationToken cancellationToken = default);

    /// <summary>Reads one session, or null.</summary>
    Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default);
}
