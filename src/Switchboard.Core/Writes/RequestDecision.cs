using Switchboard.Core.Errors;

namespace Switchboard.Core.Writes;

/// <summary>
/// What a request's write processor decided: a refusal, or the request after the write and the transitions to log
/// (one event each, in order; none: unchanged).
/// </summary>
internal sealed record RequestDecision<T>(SwitchboardError? Error, T? Request, IReadOnlyList<(string Type, T After)> Transitions)
    where T : class
{
    public static RequestDecision<T> Refuse(SwitchboardError error) => new(error, null, []);

    public static RequestDecision<T> Unchanged(T? request) => new(null, request, []);

    public static RequestDecision<T> Moved(T after, params (string Type, T After)[] transitions) => new(null, after, transitions);

    /// <summary>One transition to <paramref name="after"/>, logged as <paramref name="type"/>.</summary>
    public static RequestDecision<T> Moved(T after, string type) => new(null, after, [(type, after)]);
}
