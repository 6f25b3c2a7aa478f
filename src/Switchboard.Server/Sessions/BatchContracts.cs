using System.Text.Json.Serialization;
using Switchboard.Core.Sessions;
using Switchboard.Server.Http;

namespace Switchboard.Server.Sessions;

// /api/batch's request and response (see Http/Contracts).

/// <summary>One operation of a batch: the <c>op</c> names which, and the other fields are those of the single call.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(BatchCreate), "create")]
[JsonDerivedType(typeof(BatchUpdate), "update")]
[JsonDerivedType(typeof(BatchUsage), "usage")]
[JsonDerivedType(typeof(BatchHeartbeat), "heartbeat")]
[JsonDerivedType(typeof(BatchTerminate), "terminate")]
internal abstract record BatchOperation : IRequest;

[SessionFields(WireFieldUse.Create)]
[RequiredFields("op")]
internal sealed record BatchCreate : BatchOperation;

[SessionFields(WireFieldUse.Update)]
[RequiredFields("op", "id")]
internal sealed record BatchUpdate(string Id, long ExpectedVersion) : BatchOperation;

[SessionFields(WireFieldUse.AddUsage)]
[RequiredFields("op", "id")]
internal sealed record BatchUsage(string Id) : BatchOperation;

[RequiredFields("op", "id")]
internal sealed record BatchHeartbeat(string Id) : BatchOperation;

[RequiredFields("op", "id")]
internal sealed record BatchTerminate(string Id, string Reason, long ExpectedVersion, bool Cascade) : BatchOperation;

[RequiredFields("operations")]
internal sealed record BatchRequest(List<BatchOperation> Operations) : IRequest;

/// <summary>
/// Exactly one of <c>session</c> (2xx) and <c>problem</c> (4xx, 5xx) is present; <c>commands</c> (the session's outstanding
/// commands) comes with a successful update, usage or heartbeat.
/// </summary>
[OptionalFields("session", "problem", "commands")]
internal sealed record BatchResult(int Status, SessionResponse Session, Problem Problem, List<CommandResponse> Commands) : IResponse;

internal sealed record BatchResponse(List<BatchResult> Results) : IResponse;
