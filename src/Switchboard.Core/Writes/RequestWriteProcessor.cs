using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Switchboard.Core.Errors;
using Switchboard.Core.Sessions;

namespace Switchboard.Core.Writes;

/// <summary>
/// The lifecycle every kind of request to a session shares, for the kinds' write processors
/// (<see cref="CommandWriteProcessor"/>, <see cref="ApprovalWriteProcessor"/>): a request is created for a session that
/// exists and is not ending, under a cap of open requests per session; it is answered once, by its own session; it
/// expires once, at its expiry, unless answered first. Pure: the kinds say only their words and their own rules.
/// </summary>
internal static class RequestWriteProcessor
{
    /// <summary>
    /// True when a new request may not be created, with why in <paramref name="refusal"/>, checked in this order: the
    /// session exists, it is not ending (then <paramref name="whenEnding"/> says what it no longer takes), the kind's own
    /// <paramref name="rule"/>, and it has fewer than <paramref name="max"/> open requests (<paramref name="open"/> now).
    /// </summary>
    public static bool RefusesCreate([NotNullWhen(false)] Session? session, string sessionId, string whenEnding, Func<Session, SwitchboardError?>? rule,
        int open, int max, Func<Session, SwitchboardError> tooMany, [NotNullWhen(true)] out SwitchboardError? refusal)
    {
        refusal = session is null
            ? SwitchboardError.SessionNotFound(sessionId)
            : session.State is SessionState.Terminating or SessionState.Terminated
                ? new(ErrorKind.Conflict, "session_ending", $"Session '{session.Id}' is {session.State.ToWire()}; {whenEnding}")
                : rule?.Invoke(session) ?? (open >= max ? tooMany(session) : null);
        return refusal is not null;
    }

    /// <summary>
    /// The refusal when <paramref name="target"/> is not a request of <paramref name="sessionId"/>: not found, or (when the
    /// kind names it) <paramref name="ofOtherSession"/>; null when it is.
    /// </summary>
    public static SwitchboardError? Find<T>(T? target, string sessionId, Func<SwitchboardError> notFound, Func<T, SwitchboardError>? ofOtherSession = null)
        where T : class, ISessionRequest
    {
        if (target is null)
        {
            return notFound();
        }

        return target.SessionId == sessionId ? null : ofOtherSession?.Invoke(target) ?? notFound();
    }

    /// <summary>
    /// Expires a request still open at its expiry (<paramref name="expired"/> is it expired, logged as <paramref name="type"/>);
    /// anything else (answered first, say, or a second sweep) changes nothing.
    /// </summary>
    public static RequestDecision<T> Expire<T>(T? target, DateTimeOffset now, Func<T, T> expired, string type) where T : class, ISessionRequest =>
        target is not { IsOpen: true } r || r.ExpiresAt > now ? RequestDecision<T>.Unchanged(target) : RequestDecision<T>.Moved(expired(r), type);

    /// <summary>The rule of the session id a request write names.</summary>
    public static SwitchboardError? SessionIdRule(string id) => SessionId.IsValid(id)
        ? null
        : SwitchboardError.InvalidField("id", $"'id' must be {SessionId.Rule}.");

    /// <summary>The rule of a request id (<paramref name="field"/>, described as <paramref name="what"/>: "A command").</summary>
    public static SwitchboardError? IdRule(string id, string field, string what) => Switchboard.Core.Commands.CommandValidator.IsValidId(id)
        ? null
        : SwitchboardError.InvalidField(field, $"{what} id is 1–{Switchboard.Core.Commands.CommandLimits.MaxIdLength} characters from [A-Za-z0-9._:-].");

    /// <summary>A time as the refusals say it (UTC, milliseconds).</summary>
    public static string FormatTime(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "never";
}
