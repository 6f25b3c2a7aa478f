using System.Diagnostics;
using Switchboard.Core.Commands;
using Switchboard.Core.Diagnostics;
using Switchboard.Core.Errors;
using Switchboard.Core.Hosting;
using Switchboard.Core.Sessions;
using Switchboard.Core.Storage;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Ingest;

/// <summary>
/// The single entry point for writes, shared by HTTP, the batch endpoint and the in-process producer:
/// validate, give new sessions an id, then commit through the pipeline.
/// </summary>
internal sealed class WriteIntake(GroupCommit pipeline, Switchboard.Server.Options.SwitchboardOptions? options = null)
{
    private readonly int _maxTreeDepth = options?.Sessions.MaxTreeDepth ?? SwitchboardDefaults.MaxTreeDepth;
    private readonly CommandPolicy _commandPolicy = options is null
        ? CommandPolicy.Default
        : new CommandPolicy(options.Commands.MaxOutstandingPerSession, options.Commands.RedeliverAfter);

    /// <summary>Applies one write. Refusals come back as a result; an unavailable store throws <see cref="StoreUnavailableException"/>.</summary>
    public async Task<WriteResult> WriteAsync(SessionWrite write, CancellationToken cancellationToken)
    {
        var results = await WriteManyAsync([write], cancellationToken);
        return results[0];
    }

    /// <summary>Applies writes in order; each gets its own result and a refused one leaves no trace.</summary>
    public async Task<IReadOnlyList<WriteResult>> WriteManyAsync(IReadOnlyList<SessionWrite> writes, CancellationToken cancellationToken)
    {
        // A child of the caller's span: for HTTP, ASP.NET Core's request activity, which continues a W3C traceparent.
        using var span = SwitchboardTracing.Source.StartActivity(SwitchboardTracing.Write);
        span?.SetTag("switchboard.write.count", writes.Count);
        if (writes.Count == 1)
        {
            span?.SetTag("switchboard.write.kind", Kind(writes[0]));
            span?.SetTag("switchboard.session.id", IdOf(writes[0]));
        }

        try
        {
            var results = await ValidateAndCommitAsync(writes, span, cancellationToken);
            span?.SetTag("switchboard.write.refused", results.Count(r => r.Error is not null));
            return results;
        }
        catch (Exception ex)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private static string Kind(SessionWrite write) => write.GetType().Name;

    private static string? IdOf(SessionWrite write) => write switch
    {
        CreateSession c => c.Id, // null when the server generates it
        UpdateSession u => u.SessionId,
        AddUsage a => a.SessionId,
        Heartbeat h => h.SessionId,
        TerminateSession t => t.SessionId,
        _ => null,
    };

    private async Task<IReadOnlyList<WriteResult>> ValidateAndCommitAsync(IReadOnlyList<SessionWrite> writes, Activity? span, CancellationToken cancellationToken)
    {
        var results = new WriteResult[writes.Count];
        var accepted = new List<SessionWrite>(writes.Count);
        var positions = new List<int>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i] is CreateSession { Id: null } create ? create with { Id = SessionId.New() } : writes[i];
            if (write is CreateSession { ParentId: not null } child)
            {
                write = child with { MaxTreeDepth = _maxTreeDepth };
            }

            if (UsesCommandPolicy(write) && write.CommandPolicy != _commandPolicy)
            {
                write = write with { CommandPolicy = _commandPolicy }; // the store's transaction decides with this node's settings
            }

            if (WriteValidator.Validate(write) is { } error)
            {
                results[i] = new WriteResult(error, null, null);
                continue;
            }

            accepted.Add(write);
            positions.Add(i);
        }

        span?.AddEvent(new ActivityEvent("validated"));
        if (accepted.Count > 0)
        {
            var committed = await pipeline.SubmitAsync(accepted, cancellationToken);
            for (var j = 0; j < committed.Count; j++)
            {
                var result = committed[j];
                while (result.Incomplete)
                {
                    // A cascade over a subtree larger than one commit ends: the next part, as its own commit, so the other
                    // writers go in between and admission counts each part (WriteBatch.ApplyCascade).
                    result = (await pipeline.SubmitAsync([accepted[j]], cancellationToken))[0];
                }

                results[positions[j]] = result;
            }
        }

        return results;
    }

    /// <summary>Writes whose transaction applies <see cref="CommandPolicy"/>: hand-overs, issues and rules' actions.</summary>
    private static bool UsesCommandPolicy(SessionWrite write) =>
        write.DeliversCommands || write is IssueCommand or DeliverCommands or RaiseAlert { Action: not null };

    /// <summary>Like <see cref="WriteAsync"/>, but a refusal throws <see cref="SwitchboardException"/>.</summary>
    public async Task<WriteResult> WriteOrThrowAsync(SessionWrite write, CancellationToken cancellationToken)
    {
        var result = await WriteAsync(write, cancellationToken);
        return result.Error is { } error ? throw new SwitchboardException(error) : result;
    }
}
