namespace Switchboard.Core.Sessions;

/// <summary>
/// A durable request to a session with an answer and an expiry (a command, an approval): what the shared machinery
/// (<see cref="Switchboard.Core.Writes.RequestBook{T}"/>, <see cref="Switchboard.Core.Writes.RequestWriteProcessor"/>, the stores' request tables, the expiry sweep) knows of one.
/// </summary>
internal interface ISessionRequest
{
    /// <summary>The request's id, unique across its kind.</summary>
    string Id { get; }

    /// <summary>The session it is addressed to.</summary>
    string SessionId { get; }

    /// <summary>When it expires unless answered first.</summary>
    DateTimeOffset ExpiresAt { get; }

    /// <summary>True while it may still be answered (whatever the clock says): a command outstanding, an approval pending.</summary>
    bool IsOpen { get; }
}
