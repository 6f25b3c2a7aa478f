namespace Switchboard.Core.Errors;

/// <summary>
/// A refused request: what kind of failure, a stable machine-readable code, a sentence that says
/// what was wrong and how to fix it, and the offending field when there is one.
/// </summary>
public sealed record SwitchboardError(ErrorKind Kind, string Code, string Detail, string? Field = null)
{
    /// <summary>A 400 for one field.</summary>
    public static SwitchboardError InvalidField(string field, string detail) => new(ErrorKind.Invalid, "invalid_field", detail, field);

    /// <summary>A 404 for a session id.</summary>
    public static SwitchboardError SessionNotFound(string id) =>
        new(ErrorKind.NotFound, "session_not_found", $"Session '{id}' does not exist. Create it first.");

    /// <summary>
    /// A 409 <c>version_conflict</c>: a session, webhook or alert rule (<paramref name="noun"/>) is no longer at the
    /// version the write expected, so nothing was changed.
    /// </summary>
    internal static SwitchboardError VersionConflict(string noun, string id, long current, long expected) => new(ErrorKind.Conflict, "version_conflict",
        $"{char.ToUpperInvariant(noun[0])}{noun[1..]} '{id}' is at version {current}, but expected_version was {expected}. " +
        $"Read the {noun} again and retry with its current version.", "expected_version");

    /// <summary>A 400 for an <c>expected_version</c> below 1 (versions start at 1).</summary>
    internal static SwitchboardError? ExpectedVersionOutOfRange(long? expected) => expected is < 1
        ? InvalidField("expected_version", $"'expected_version' must be 1 or more; got {expected}.")
        : null;

    /// <summary>The database refused this write's values; the writes committed with it were stored.</summary>
    internal static SwitchboardError StoreRefused(string reason) => new(ErrorKind.Invalid, "store_refused",
        $"The database refused this write: {reason}. Nothing of it was stored. Check its values for characters or sizes the database cannot hold.");

    /// <summary>The store could not commit.</summary>
    public static SwitchboardError StoreUnavailable(string detail) => new(ErrorKind.Unavailable, "store_unavailable", detail);
}
