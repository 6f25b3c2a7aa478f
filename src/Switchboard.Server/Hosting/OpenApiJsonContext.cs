using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Switchboard.Server.Alerts;
using Switchboard.Server.Approvals;
using Switchboard.Server.Auth;
using Switchboard.Server.Commands;
using Switchboard.Server.Health;
using Switchboard.Server.Http;
using Switchboard.Server.Sessions;
using Switchboard.Server.Usage;
using Switchboard.Server.Webhooks;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The JSON metadata the OpenAPI generator reads to describe the wire records (those named by <c>Produces</c> and
/// <c>JsonBody</c>, and what they contain) and the route and query values. Nothing is serialized through it: the
/// server writes its JSON by hand. It is built at compile time so that a Native AOT build, where System.Text.Json has no
/// reflection, describes the same document; the JIT build reads the same metadata, so both serve the same bytes.
/// </summary>
[JsonSerializable(typeof(AcknowledgeRequest))]
[JsonSerializable(typeof(AlertListResponse))]
[JsonSerializable(typeof(AlertResponse))]
[JsonSerializable(typeof(AlertRuleListResponse))]
[JsonSerializable(typeof(AlertRulePutRequest))]
[JsonSerializable(typeof(AlertRuleRequest))]
[JsonSerializable(typeof(AlertRuleResponse))]
[JsonSerializable(typeof(ApprovalAnswerRequest))]
[JsonSerializable(typeof(ApprovalListResponse))]
[JsonSerializable(typeof(ApprovalRequest))]
[JsonSerializable(typeof(ApprovalResponse))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(BatchRequest))]
[JsonSerializable(typeof(BatchResponse))]
[JsonSerializable(typeof(CommandAckRequest))]
[JsonSerializable(typeof(CommandListResponse))]
[JsonSerializable(typeof(CommandRequest))]
[JsonSerializable(typeof(CommandResponse))]
[JsonSerializable(typeof(CountResponse))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(EventsResponse))]
[JsonSerializable(typeof(FleetResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ReadinessResponse))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(SessionWriteResponse))]
[JsonSerializable(typeof(SubtreeResponse))]
[JsonSerializable(typeof(SummaryResponse))]
[JsonSerializable(typeof(TerminateRequest))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UpdateSessionRequest))]
[JsonSerializable(typeof(UsageRequest))]
[JsonSerializable(typeof(UsageResponse))]
[JsonSerializable(typeof(WebhookListResponse))]
[JsonSerializable(typeof(WebhookPutRequest))]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(ProblemDetails))] // ProducesProblem (the usage endpoint)
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
internal sealed partial class OpenApiJsonContext : JsonSerializerContext;
