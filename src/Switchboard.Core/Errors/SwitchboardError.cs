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

    /// <summary>The database refused this write's values; the writes committed with it were stored.</summary>
    internal static SwitchboardError StoreRefused(string reason) => new(ErrorKind.Invalid, "store_refused",
        $"The database refused this write: {reason}. Nothing of it was stored. Check its values for characters or sizes the database cannot hold.");

    /// <summary>The store could not commit.</summary>
    public static SwitchboardError StoreUnavailable(string detail) => new(ErrorKind.Unavailable, "store_unavailable", detail);
}
