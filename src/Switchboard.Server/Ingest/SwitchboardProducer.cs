using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>The in-process producer: a thin face over <see cref="WriteIntake"/>, the path HTTP uses too.</summary>
internal sealed class SwitchboardProducer(WriteIntake writer, ISessionStore store) : ISwitchboardProducer
{
    public Task<Session> CreateAsync(CreateSession create, CancellationToken cancellationToken = default) => Write(create, cancellationToken);

    public Task<Session> UpdateAsync(UpdateSession update, CancellationToken cancellationToken = default) => Write(update, cancellationToken);

    public Task<Session> AddUsageAsync(AddUsage usage, CancellationToken cancellationToken = default) => Write(usage, cancellationToken);

    public Task<Session> HeartbeatAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Write(new Heartbeat(sessionId), cancellationToken);

    public Task<Session> TerminateAsync(TerminateSession terminate, CancellationToken cancellationToken = default) => Write(terminate, cancellationToken);

    public Task<IReadOnlyList<WriteResult>> BatchAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken = default) =>
        writer.WriteManyAsync(writes, cancellationToken);

    public async Task SetFleetPausedAsync(bool paused, CancellationToken cancellationToken = default) =>
        await writer.WriteOrThrowAsync(new SetFleetPaused(paused), cancellationToken);

    public Task<Session?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        store.GetSessionAsync(sessionId, cancellationToken);

    private async Task<Session> Write(SessionWrite write, CancellationToken cancellationToken) =>
        (await writer.WriteOrThrowAsync(write, cancellationToken)).Session!;
}
