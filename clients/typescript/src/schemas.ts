// Runtime descriptors of the wire types, keyed by the OpenAPI schema they mirror: the compiler holds each to its
// interface, and test/openapi.test.mjs compares them with the document a running server serves.

import {SESSION_STATES, EVENT_TYPES} from "./types.js";
import type {
  BatchCreate, BatchHeartbeat, BatchResult, BatchTerminate, BatchUpdate, BatchUsage, CountResponse,
  CreateSessionRequest, EventEnvelope, EventsResponse, HeartbeatResponse, ProblemDetails, Session,
  SessionListResponse, SummaryResponse, TerminateRequest, UpdateSessionRequest, UsagePoint, UsageRequest,
  UsageResponse, UsageSeries,
} from "./types.js";
import {ALERT_STATES, WEBHOOK_STATES} from "./alerts.js";
import type {
  AcknowledgeRequest, Alert, AlertListResponse, AlertRule, AlertRuleListResponse, AlertRuleRequest, ReplayRequest,
  Webhook, WebhookListResponse, WebhookRequest,
} from "./alerts.js";

/** For each property of T: is it required, and may it be null. The compiler checks every literal against T. */
export type Descriptor<T> = {
  [K in keyof T]-?: {
    required: {} extends Pick<T, K> ? false : true;
    nullable: null extends T[K] ? true : false;
  };
};

/** Builds a descriptor; the literal must list exactly T's properties with the right flags (excess ones are errors). */
export function describe<T>() {
  return <D extends Descriptor<T>>(d: D & Record<Exclude<keyof D, keyof T>, never>): Descriptor<T> => d;
}

const R = {required: true, nullable: false} as const;
const RN = {required: true, nullable: true} as const;
const O = {required: false, nullable: false} as const;
const ON = {required: false, nullable: true} as const;

/** Runtime descriptors of the wire types, keyed by the OpenAPI schema name they mirror. */
export const schemas = {
  SessionResponse: describe<Session>()({
    id: R, name: RN, state: R, labels: R, metadata: R, error_message: RN, input_tokens: R, output_tokens: R,
    total_tokens: R, cost_usd: R, tasks_running: R, lease_seconds: RN, created_at: R, updated_at: R,
    terminated_at: RN, version: R,
  }),
  SummaryResponse: describe<SummaryResponse>()({
    as_of_seq: R, active_count: R, total_count: R, counts: R, tasks_running: R, input_tokens: R, output_tokens: R,
    total_tokens: R, estimated_cost_usd: R, is_paused: R, duration_seconds: R, epoch: R,
  }),
  Problem: describe<ProblemDetails>()({type: R, title: R, status: R, detail: R, instance: O, code: R, field: O}),
  CreateSessionRequest: describe<CreateSessionRequest>()({
    id: O, name: ON, state: O, labels: O, metadata: O, error_message: ON, input_tokens: O, output_tokens: O,
    cost_usd: O, tasks_running: O, lease_seconds: ON,
  }),
  UpdateSessionRequest: describe<UpdateSessionRequest>()({
    state: O, name: ON, labels: O, metadata: O, error_message: ON, tasks_running: O, lease_seconds: ON,
    expected_version: O,
  }),
  UsageRequest: describe<UsageRequest>()({input_tokens: O, output_tokens: O, cost_usd: O}),
  TerminateRequest: describe<TerminateRequest>()({reason: O, expected_version: O}),
  HeartbeatResponse: describe<HeartbeatResponse>()({id: R, state: R, lease_seconds: RN, lease_expires_at: RN}),
  SessionListResponse: describe<SessionListResponse>()({sessions: R, next_cursor: RN}),
  CountResponse: describe<CountResponse>()({active_sessions: R, total_sessions: R}),
  BatchOperationBatchCreate: describe<BatchCreate>()({
    op: R, id: O, name: ON, state: O, labels: O, metadata: O, error_message: ON, input_tokens: O, output_tokens: O,
    cost_usd: O, tasks_running: O, lease_seconds: ON,
  }),
  BatchOperationBatchUpdate: describe<BatchUpdate>()({
    op: R, id: R, state: O, name: ON, labels: O, metadata: O, error_message: ON, tasks_running: O, lease_seconds: ON,
    expected_version: O,
  }),
  BatchOperationBatchUsage: describe<BatchUsage>()({op: R, id: R, input_tokens: O, output_tokens: O, cost_usd: O}),
  BatchOperationBatchHeartbeat: describe<BatchHeartbeat>()({op: R, id: R}),
  BatchOperationBatchTerminate: describe<BatchTerminate>()({op: R, id: R, reason: O, expected_version: O}),
  BatchResult: describe<BatchResult>()({status: R, session: O, problem: O}),
  EventEnvelope: describe<EventEnvelope>()({seq: R, epoch: R, type: R, session_id: RN, at: R, data: R}),
  EventsResponse: describe<EventsResponse>()({epoch: R, head_seq: R, events: R, next_since: R, has_more: R}),
  UsagePoint: describe<UsagePoint>()({
    start: R, input_tokens: R, output_tokens: R, total_tokens: R, cost_usd: R, sessions_created: R,
    sessions_terminated: R, sessions_errored: R, busy_seconds: R, peak_active_sessions: R,
  }),
  UsageSeries: describe<UsageSeries>()({group: R, points: R}),
  UsageResponse: describe<UsageResponse>()({
    bucket: R, group_by: R, since: R, until: R, epoch: R, as_of_seq: R, series: R,
  }),
  AlertRuleRequest: describe<AlertRuleRequest>()({
    id: O, name: R, condition: R, severity: O, seconds: ON, threshold: ON, metric: ON, window_seconds: ON, labels: O,
    enabled: O,
  }),
  AlertRuleResponse: describe<AlertRule>()({
    id: R, name: R, condition: R, severity: R, seconds: RN, threshold: RN, metric: RN, window_seconds: RN, labels: R,
    enabled: R, source: R,
  }),
  AlertRuleListResponse: describe<AlertRuleListResponse>()({rules: R}),
  AlertResponse: describe<Alert>()({
    id: R, rule_id: R, rule_name: R, condition: R, severity: R, subject: R, session_id: RN, labels: RN, state: R,
    message: R, value: RN, raised_at: R, raised_seq: R, resolved_at: RN, resolved_seq: RN, resolve_reason: RN,
    acknowledged_at: RN, acknowledged_by: RN, note: RN,
  }),
  AlertListResponse: describe<AlertListResponse>()({alerts: R, as_of_seq: R}),
  AcknowledgeRequest: describe<AcknowledgeRequest>()({by: R, note: ON}),
  WebhookRequest: describe<WebhookRequest>()({
    id: O, url: R, secret: O, event_types: O, labels: O, alert_severities: O, format: O, enabled: O,
  }),
  WebhookResponse: describe<Webhook>()({
    id: R, url: R, secret: ON, event_types: R, labels: R, alert_severities: R, format: R, enabled: R, state: R,
    cursor: R, lag: R, attempts: R, failures: R, consecutive_failures: R, last_error: RN, last_attempt_at: RN,
    delivering_node: RN, created_at: R,
  }),
  WebhookListResponse: describe<WebhookListResponse>()({webhooks: R}),
  ReplayRequest: describe<ReplayRequest>()({from_seq: R}),
} as const;

/** Enumerations the OpenAPI document spells out, for the same check. */
export const enums = {
  SessionState: SESSION_STATES,
  EventType: EVENT_TYPES,
  AlertState: ALERT_STATES,
  WebhookState: WEBHOOK_STATES,
} as const;
