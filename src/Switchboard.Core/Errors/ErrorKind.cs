namespace Switchboard.Core.Errors;

/// <summary>What went wrong, independent of the transport that reports it.</summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or breaks a rule (HTTP 400).</summary>
    Invalid,
    /// <summary>The session does not exist (HTTP 404).</summary>
    NotFound,
    /// <summary>The request conflicts with the current state (HTTP 409).</summary>
    Conflict,
    /// <summary>The requested log position is no longer retained (HTTP 410).</summary>
    Gone,
    /// <summary>The store cannot persist right now; retry later (HTTP 503).</summary>
    Unavailable,
    /// <summary>A limit on what may be outstanding is reached; answer or remove some first (HTTP 429).</summary>
    TooMany,
    /// <summary>The caller may not do this to this target, whatever its state (HTTP 403).</summary>
    Forbidden,
}
