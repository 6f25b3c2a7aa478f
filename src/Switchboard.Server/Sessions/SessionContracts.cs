using Switchboard.Core.Sessions;
using Switchboard.Server.Http;

namespace Switchboard.Server.Sessions;

// The session API's requests and responses (see Http/Contracts): the session's own fields come from SessionWire.

[SessionFields(WireFieldUse.Create)]
internal sealed record CreateSessionRequest : IRequest;

[SessionFields(WireFieldUse.Update)]
internal sealed record UpdateSessionRequest(long ExpectedVersion) : IRequest;

[SessionFields(WireFieldUse.AddUsage)]
internal sealed record UsageRequest : IRequest;

/// <summary>A heartbeat takes no fields; an empty object is accepted.</summary>
internal sealed record HeartbeatRequest : IRequest;

internal sealed record TerminateRequest(string Reason, long ExpectedVersion, bool Cascade) : IRequest;

[SessionFields(WireFieldUse.Response)]
internal sealed record SessionResponse : IResponse;

/// <summary>A page of sessions; <c>as_of_seq</c> is the log position the page was read at (a live view applies only later events to it).</summary>
internal sealed record SessionListResponse(List<SessionResponse> Sessions, string? NextCursor, long AsOfSeq) : IResponse;

internal sealed record CountResponse(long ActiveSessions, long TotalSessions) : IResponse;

/// <summary>A page of a subtree in tree order (a parent right before its subtree), the session itself first, as of <c>as_of_seq</c>.</summary>
internal sealed record SubtreeResponse(long AsOfSeq, List<SessionResponse> Sessions, string? NextCursor) : IResponse;

/// <summary>The answer to a heartbeat; <c>commands</c> are the session's outstanding commands (docs/commands.md).</summary>
internal sealed record HeartbeatResponse(string Id, string State, int? LeaseSeconds, DateTimeOffset? LeaseExpiresAt, List<CommandResponse> Commands) : IResponse;

/// <summary>The answer to a producer's update or usage: the session, and its outstanding commands (docs/commands.md).</summary>
[SessionFields(WireFieldUse.Response)]
internal sealed record SessionWriteResponse(List<CommandResponse> Commands) : IResponse;
