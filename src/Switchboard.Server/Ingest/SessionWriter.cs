using Switchboard.Errors;
using Switchboard.Sessions;
using Switchboard.Storage;
using Switchboard.Writes;

namespace Switchboard.Ingest;

/// <summary>
/// The single entry point for writes, shared by HTTP, the batch endpoint and the in-process producer:
/// validate, give new sessions an id, then commit through the pipeline.
/// </summary>
internal sealed class SessionWriter(WritePipeline pipeline)
{
    /// <summary>Applies one write. Refusals come back as a result; an unavailable store throws <see cref="StoreUnavailableException"/>.</summary>
    public async Task<WriteResult> WriteAsync(SessionWrite write, CancellationToken cancellationToken)
    {
        var results = await WriteManyAsync([write], cancellationToken);
        return results[0];
    }

    /// <summary>Applies writes in order; each gets its own result and a refused one leaves no trace.</summary>
    public async Task<IReadOnlyList<WriteResult>> WriteManyAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        var results = new WriteResult[writes.Count];
        var accepted = new List<SessionWrite>(writes.Count);
        var positions = new List<int>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i] is CreateSession { Id: null } create ? create with { Id = SessionId.New() } : writes[i];
            if (WriteValidator.Validate(write) is { } error)
            {
                results[i] = new WriteResult(error, null, null);
                continue;
            }

            accepted.Add(write);
            positions.Add(i);
        }

        if (accepted.Count > 0)
        {
            var committed = await pipeline.SubmitAsync(accepted, cancellationToken);
            for (var j = 0; j < committed.Count; j++)
            {
                results[positions[j]] = committed[j];
            }
        }

        return results;
    }

    /// <summary>Like <see cref="WriteAsync"/>, but a refusal throws <see cref="SwitchboardException"/>.</summary>
    public async Task<WriteResult> WriteOrThrowAsync(SessionWrite write, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(write, cancellationToken);
        return result.Error is { } error ? throw new SwitchboardException(error) : result;
    }
}
