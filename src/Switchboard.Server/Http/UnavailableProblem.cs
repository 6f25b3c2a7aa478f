using Switchboard.Core.Errors;
using Switchboard.Core.Storage;
using Switchboard.Server.Ingest;
using Switchboard.Server.Responses;

namespace Switchboard.Server.Http;

/// <summary>503 problems for a store that cannot commit and for a node whose fan-out is behind (admission control).</summary>
internal static class UnavailableProblem
{
    /// <summary>The problem for <paramref name="error"/>, prefixed by what did not happen (e.g. "The write was not persisted").</summary>
    public static ProblemResult For(StoreUnavailableException error, string whatDidNotHappen) => error switch
    {
        OverloadedException overloaded => new ProblemResult(503, "overloaded", "Service unavailable", $"{whatDidNotHappen}: {overloaded.Message}")
        {
            RetryAfterSeconds = (int)Math.Ceiling(overloaded.RetryAfter.TotalSeconds),
        },
        _ => ProblemResult.From(SwitchboardError.StoreUnavailable($"{whatDidNotHappen}: {error.Message} Retry after the Retry-After delay.")),
    };
}
