using System.Text.Json;
using Switchboard.Client.Json;

namespace Switchboard.Client;

/// <summary>One operation of <see cref="SwitchboardClient.BatchAsync"/>.</summary>
public sealed class BatchOperation
{
    private readonly Action<Utf8JsonWriter> _write;

    private BatchOperation(string op, string? sessionId, Action<Utf8JsonWriter> write)
    {
        Op = op;
        SessionId = sessionId;
        _write = write;
    }

    /// <summary><c>create</c>, <c>update</c>, <c>usage</c>, <c>heartbeat</c> or <c>terminate</c>.</summary>
    public string Op { get; }

    /// <summary>The target session (null for a create that lets the server pick the id).</summary>
    public string? SessionId { get; }

    /// <summary>Creates a session.</summary>
    public static BatchOperation Create(NewSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return new("create", session.Id, w => RequestJson.CreateFields(w, session));
    }

    /// <summary>Updates a session.</summary>
    public static BatchOperation Update(string sessionId, SessionUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new("update", sessionId, w => RequestJson.UpdateFields(w, update));
    }

    /// <summary>Adds usage.</summary>
    public static BatchOperation AddUsage(string sessionId, Usage usage) =>
        new("usage", sessionId, w => RequestJson.UsageFields(w, usage));

    /// <summary>Renews a lease.</summary>
    public static BatchOperation Heartbeat(string sessionId) => new("heartbeat", sessionId, _ => { });

    /// <summary>Terminates a session.</summary>
    public static BatchOperation Terminate(string sessionId, string? reason = null, long? expectedVersion = null) =>
        new("terminate", sessionId, w => RequestJson.TerminateFields(w, reason, expectedVersion));

    /// <summary>Terminates a session and every active descendant, in the same commit.</summary>
    public static BatchOperation TerminateSubtree(string sessionId, string? reason = null, long? expectedVersion = null) =>
        new("terminate", sessionId, w => RequestJson.TerminateFields(w, reason, expectedVersion, cascade: true));

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("op", Op);
        if (Op != "create" && SessionId is not null)
        {
            w.WriteString("id", SessionId);
        }

        _write(w);
        w.WriteEndObject();
    }
}

/// <summary>The outcome of one batch operation.</summary>
/// <param name="Status">201 or 200 on success, otherwise the problem's status.</param>
/// <param name="Session">The session after the operation, on success.</param>
/// <param name="Problem">Why it was refused (and left no trace).</param>
public sealed record BatchResult(int Status, Session? Session, SwitchboardProblem? Problem)
{
    /// <summary>After a successful update, usage or heartbeat: the session's outstanding commands (see <see cref="HeartbeatResult.Commands"/>).</summary>
    public IReadOnlyList<SessionCommand> Commands { get; init; } = [];

    /// <summary>True when the operation was applied.</summary>
    public bool Succeeded => Problem is null;
}
