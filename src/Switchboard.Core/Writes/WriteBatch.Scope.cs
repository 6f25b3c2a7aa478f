using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;
using Switchboard.Core.Trees;

namespace Switchboard.Core.Writes;

/// <summary>
/// A write the unit of work decided before anything else of its commit ran (<see cref="WriteBatch.Refused"/>,
/// <see cref="WriteBatch.Deferred"/>): applying it gives <see cref="Result"/> and changes nothing.
/// </summary>
internal sealed record DecidedWrite(WriteResult Result) : SessionWrite;

/// <summary>
/// The labels scope of a key's writes (<see cref="SessionWrite.Scope"/>): a session outside it does not exist for the
/// write. One rule, applied first by the unit of work to the rows it read before any side effect (dedupe keys, metric
/// streams, span owners and waits, continuations), then again as the batch applies, to the rows as the batch's earlier
/// writes left them, so a session moved out of the scope in the same commit is not written either.
/// </summary>
internal sealed partial class WriteBatch
{
    private static readonly WriteResult NextCommit = new(null, null, null) { Incomplete = true };

    /// <summary>Stands for writes of several scopes to one session (no key's scope is empty): <see cref="LabelScope.Same"/> with none.</summary>
    private static readonly KeyValuePair<string, string>[] MixedScopes = [];

    /// <summary>True when a write of the batch carries a scope: only then is there anything to decide first.</summary>
    public static bool AnyScoped(IReadOnlyList<SessionWrite> writes)
    {
        foreach (var write in writes)
        {
            if (write.Scope is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <paramref name="writes"/> with each scoped write refused (a <see cref="DecidedWrite"/>) whose session, or whose parent
    /// for a create and a sub-agent's hook, exists in <paramref name="rows"/> outside the write's scope. Telemetry naming
    /// a parent outside it is not refused: it starts a root, as it would under a parent that does not exist.
    /// </summary>
    public static IReadOnlyList<SessionWrite> Refused(IReadOnlyList<SessionWrite> writes, IReadOnlyDictionary<string, Session?> rows)
    {
        SessionWrite[]? decided = null;
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i] is { Scope: { } scope } write && Refusal(write, scope, id => rows.GetValueOrDefault(id)) is { } refusal)
            {
                (decided ??= [.. writes])[i] = new DecidedWrite(refusal);
            }
        }

        return decided ?? writes;
    }

    /// <summary>
    /// <paramref name="writes"/> with each scoped telemetry write deferred to the next commit (<see cref="WriteResult.Incomplete"/>:
    /// the writer submits it again) whose session an earlier write of another scope, or of none, writes in this one. That
    /// write may create the session or change its labels, which only applying it tells, while telemetry claims dedupe keys,
    /// streams and spans before the batch applies; in the next commit its row is there to read first.
    /// </summary>
    public static IReadOnlyList<SessionWrite> Deferred(IReadOnlyList<SessionWrite> writes)
    {
        SessionWrite[]? decided = null;
        var writers = new Dictionary<string, KeyValuePair<string, string>[]?>(StringComparer.Ordinal); // session → the scope of all its writes so far
        for (var i = 0; i < writes.Count; i++)
        {
            var write = writes[i];
            if (SessionOf(write) is not { } id)
            {
                continue;
            }

            var written = writers.TryGetValue(id, out var earlier);
            if (written && !LabelScope.Same(earlier, write.Scope))
            {
                if (write is ApplyTelemetry { Scope: not null })
                {
                    (decided ??= [.. writes])[i] = new DecidedWrite(NextCommit);
                    continue;
                }

                writers[id] = MixedScopes;
            }
            else
            {
                writers[id] = write.Scope;
            }
        }

        return decided ?? writes;
    }

    /// <summary>The refusal of <paramref name="write"/> as a write inside <paramref name="scope"/>, given how to find a session's row; null when it may go on.</summary>
    private static WriteResult? Refusal(SessionWrite write, KeyValuePair<string, string>[] scope, Func<string, Session?> row)
    {
        if (SessionOf(write) is { } id && row(id) is { } session && !LabelScope.Carries(session.Labels, scope))
        {
            // An id taken outside the scope stays taken for a create (409), which says nothing else of the session.
            var error = write is CreateSession
                ? new SwitchboardError(ErrorKind.Conflict, "session_exists", $"The id '{id}' is taken. Create the session with another id, or leave the id out.", "id")
                : SwitchboardError.SessionNotFound(id);
            return new WriteResult(error, null, null) { OutsideScope = true };
        }

        var parentId = write switch
        {
            CreateSession c => c.ParentId,
            ApplyHook h => h.ParentId,
            _ => null,
        };
        return parentId is not null && row(parentId) is { } parent && !LabelScope.Carries(parent.Labels, scope)
            ? new WriteResult(TreeErrors.ParentNotFound(parentId), null, null) { OutsideScope = true }
            : null;
    }

    /// <summary>
    /// The refusal of a scoped write as the batch applies it, against the rows as its earlier writes left them
    /// (<see cref="Refusal"/>); a command of another session is not found either, rather than named.
    /// </summary>
    private WriteResult? Hidden(SessionWrite write, KeyValuePair<string, string>[] scope)
    {
        var commandId = write switch
        {
            AcknowledgeCommand a => a.CommandId,
            WithdrawCommand w => w.CommandId,
            _ => null,
        };
        if (commandId is not null && _commands.Book.Get(commandId) is { } command && SessionOf(write) is { } id && command.SessionId != id)
        {
            return new WriteResult(CommandWriteProcessor.CommandNotFound(id, commandId), null, null) { OutsideScope = true };
        }

        return Refusal(write, scope, Current);
    }

    /// <summary>The session a write is about: its target, or the session of its command or approval.</summary>
    private static string? SessionOf(SessionWrite write) =>
        SessionTransitions.TargetId(write) ?? RequestSessionId(write);
}
