// The wire shapes of Switchboard's HTTP API and live stream. Each interface that mirrors a schema of the server's
// OpenAPI document (/openapi/v1.json) has a runtime descriptor below (`schemas`), which the compiler holds to the
// interface (every property, whether it is required, whether it may be null) and the tests compare with the document
// a running server serves, so the types cannot drift from the server.

export const SESSION_STATES = ["initializing", "idle", "working", "paused", "error", "terminating", "terminated"] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** States after which a session no longer counts as active. */
export const TERMINAL_STATES: readonly SessionState[] = ["terminated"];

/** Every type the log holds: session and fleet events, and alert events (on `alerts` and the alert's `session:{id}`). */
export const EVENT_TYPES = [
  "session_created", "session_updated", "session_terminated", "fleet_updated",
  "alert_raised", "alert_resolved", "alert_acknowledged",
] as const;
export type LoggedEventType = (typeof EVENT_TYPES)[number];

export type Labels = Record<string, string>;
export type Metadata = Record<string, unknown>;

/** A session as the HTTP API returns it (`SessionResponse`). Times are ISO 8601 UTC strings. */
export interface Session {
  id: string;
  name: string | null;
  state: SessionState;
  labels: Labels;
  metadata: Metadata;
  error_message: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  tasks_running: number;
  lease_seconds: number | null;
  created_at: string;
  updated_at: string;
  terminated_at: string | null;
  version: number;
}

/** The fleet summary as events and join replies carry it. */
export interface Summary {
  as_of_seq: number;
  active_count: number;
  total_count: number;
  counts: Record<SessionState, number>;
  tasks_running: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  estimated_cost_usd: number;
  is_paused: boolean;
  duration_seconds: number;
}

/** `GET /api/summary` (`SummaryResponse`): the summary plus the log's epoch. */
export interface SummaryResponse extends Summary {
  epoch: string;
}

/** RFC 9457 problem details (`Problem`), as every error status of the API carries them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  field?: string;
}

/** `POST /api/sessions` (`CreateSessionRequest`). */
export interface CreateSessionRequest {
  id?: string;
  name?: string | null;
  state?: SessionState;
  labels?: Labels;
  metadata?: Metadata;
  error_message?: string | null;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  tasks_running?: number;
  lease_seconds?: number | null;
}

/** `PATCH /api/sessions/{id}` (`UpdateSessionRequest`): only what changes; `expected_version` makes it conditional. */
export interface UpdateSessionRequest {
  state?: SessionState;
  name?: string | null;
  labels?: Labels;
  metadata?: Metadata;
  error_message?: string | null;
  tasks_running?: number;
  lease_seconds?: number | null;
  expected_version?: number;
}

/** `POST /api/sessions/{id}/usage` (`UsageRequest`): amounts to add. */
export interface UsageRequest {
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
}

/** `POST /api/sessions/{id}/terminate` (`TerminateRequest`). */
export interface TerminateRequest {
  reason?: string;
  expected_version?: number;
}

/** `POST /api/sessions/{id}/heartbeat` (`HeartbeatResponse`). */
export interface HeartbeatResponse {
  id: string;
  state: SessionState;
  lease_seconds: number | null;
  lease_expires_at: string | null;
}

/** `GET /api/sessions` (`SessionListResponse`). */
export interface SessionListResponse {
  sessions: Session[];
  next_cursor: string | null;
}

/** `GET /api/sessions/count` (`CountResponse`). */
export interface CountResponse {
  active_sessions: number;
  total_sessions: number;
}

export interface BatchCreate extends CreateSessionRequest {
  op: "create";
}
export interface BatchUpdate extends UpdateSessionRequest {
  op: "update";
  id: string;
}
export interface BatchUsage extends UsageRequest {
  op: "usage";
  id: string;
}
export interface BatchHeartbeat {
  op: "heartbeat";
  id: string;
}
export interface BatchTerminate extends TerminateRequest {
  op: "terminate";
  id: string;
}
/** One operation of `POST /api/batch`, discriminated by `op`. */
export type BatchOperation = BatchCreate | BatchUpdate | BatchUsage | BatchHeartbeat | BatchTerminate;

/** One result of `POST /api/batch` (`BatchResult`): each operation is applied or refused on its own. */
export interface BatchResult {
  status: number;
  session?: Session;
  problem?: ProblemDetails;
}

/** A logged event as `GET /api/events` returns it (`EventEnvelope`); see {@link SwitchboardEvent} for the typed union. */
export interface EventEnvelope {
  seq: number;
  epoch: string;
  type: LoggedEventType;
  session_id: string | null;
  at: string;
  data: Record<string, unknown>;
}

/** `GET /api/events` (`EventsResponse`). */
export interface EventsResponse {
  epoch: string;
  head_seq: number;
  events: EventEnvelope[];
  next_since: number;
  has_more: boolean;
}

/** One bucket of usage (`UsagePoint`); buckets without events are absent. */
export interface UsagePoint {
  start: string;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  sessions_created: number;
  sessions_terminated: number;
  sessions_errored: number;
  busy_seconds: number;
  peak_active_sessions: number;
}

/** The buckets of one group (`UsageSeries`): the fleet (`group` empty) or one label value (`{team: "red"}`). */
export interface UsageSeries {
  group: Labels;
  points: UsagePoint[];
}

/** `GET /api/usage` (`UsageResponse`): counts exactly the events up to `as_of_seq`. */
export interface UsageResponse {
  bucket: UsageBucket;
  group_by: string;
  since: string;
  until: string;
  epoch: string;
  as_of_seq: number;
  series: UsageSeries[];
}

/** A usage bucket size. */
export type UsageBucket = "1m" | "1h" | "1d";

/** What `usage()` asks for; times are RFC 3339 or durations back from now (`"30m"`, `"24h"`, `"7d"`). */
export interface UsageQuery {
  bucket?: UsageBucket;
  since?: string | Date;
  until?: string | Date;
  /** A label key the server rolls up by (`Switchboard:Usage:GroupBy`); omitted for the fleet as a whole. */
  groupBy?: string;
  /** Only these values of `groupBy`. */
  values?: readonly string[];
}

// ---- alerts and webhooks (docs/alerts.md) ---------------------------------------------------------------------------

/** What a rule watches; `seconds`, `threshold`, `metric` and `window_seconds` apply only to the conditions that take them. */
export type AlertCondition =
  | "session_error" | "lease_expired" | "stalled" | "session_cost" | "session_tokens" | "active_count" | "burn_rate"
  | "error_count";
export type AlertSeverity = "info" | "warning" | "critical";

/** `POST /api/alert-rules`, `PUT /api/alert-rules/{id}` (`AlertRuleRequest`): a condition takes exactly its own fields. */
export interface AlertRuleRequest {
  id?: string;
  name: string;
  condition: AlertCondition;
  severity?: AlertSeverity;
  seconds?: number | null;
  threshold?: number | null;
  metric?: "cost" | "tokens" | null;
  window_seconds?: number | null;
  labels?: Labels;
  enabled?: boolean;
}

/** A rule as the API returns it (`AlertRuleResponse`); `source` is `config` (read-only) or `api`. */
export interface AlertRule {
  id: string;
  name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  seconds: number | null;
  threshold: number | null;
  metric: string | null;
  window_seconds: number | null;
  labels: Labels;
  enabled: boolean;
  source: string;
}

/** `GET /api/alert-rules` (`AlertRuleListResponse`). */
export interface AlertRuleListResponse {
  rules: AlertRule[];
}

export const ALERT_STATES = ["open", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** An alert (`AlertResponse`): one per rule and subject while open; `subject` is a session id or `fleet`. */
export interface Alert {
  id: string;
  rule_id: string;
  rule_name: string;
  condition: AlertCondition;
  severity: AlertSeverity;
  subject: string;
  session_id: string | null;
  labels: Labels | null;
  state: AlertState;
  message: string;
  value: number | null;
  raised_at: string;
  raised_seq: number;
  resolved_at: string | null;
  resolved_seq: number | null;
  resolve_reason: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  note: string | null;
}

/** `GET /api/alerts` (`AlertListResponse`): newest first, as of `as_of_seq`. */
export interface AlertListResponse {
  alerts: Alert[];
  as_of_seq: number;
}

/** `POST /api/alerts/{id}/ack` (`AcknowledgeRequest`): who acknowledges, and why. */
export interface AcknowledgeRequest {
  by: string;
  note?: string | null;
}

/** `POST /api/webhooks` (`WebhookRequest`); everything but `url` has a default (docs/alerts.md). */
export interface WebhookRequest {
  id?: string;
  url: string;
  /** 16–256 characters; generated when left out and returned only when the endpoint is created. */
  secret?: string;
  event_types?: LoggedEventType[];
  labels?: Labels;
  alert_severities?: AlertSeverity[];
  format?: "json" | "slack";
  enabled?: boolean;
}

export const WEBHOOK_STATES = ["active", "failing"] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/** A webhook endpoint with its delivery state (`WebhookResponse`); `secret` is present only in the create answer. */
export interface Webhook {
  id: string;
  url: string;
  secret?: string | null;
  event_types: LoggedEventType[];
  labels: Labels;
  alert_severities: AlertSeverity[];
  format: string;
  enabled: boolean;
  state: WebhookState;
  cursor: number;
  lag: number;
  attempts: number;
  failures: number;
  consecutive_failures: number;
  last_error: string | null;
  last_attempt_at: string | null;
  delivering_node: string | null;
  created_at: string;
}

/** `GET /api/webhooks` (`WebhookListResponse`). */
export interface WebhookListResponse {
  webhooks: Webhook[];
}

/** `POST /api/webhooks/{id}/replay` (`ReplayRequest`): deliver again from this `seq` on. */
export interface ReplayRequest {
  from_seq: number;
}

// ---- typed events -------------------------------------------------------------------------------------------------

interface EventBase<T extends string, D> {
  seq: number;
  epoch: string;
  type: T;
  at: string;
  data: D;
}

export interface SessionCreatedEvent extends EventBase<"session_created", {session: Session; active_count?: number}> {
  session_id: string;
}

/** `data.changes` holds only the fields that changed (plus `updated_at`); `version` is the session's new version. */
export interface SessionUpdatedEvent
  extends EventBase<"session_updated", {
    changes: Partial<Omit<Session, "id" | "version">> & {updated_at: string};
    previous_state?: SessionState;
    version: number;
    reason?: string;
  }> {
  session_id: string;
}

export interface SessionTerminatedEvent
  extends EventBase<"session_terminated", {session: Session; reason?: string | null; active_count?: number}> {
  session_id: string;
}

export interface FleetUpdatedEvent extends EventBase<"fleet_updated", {is_paused: boolean}> {
  session_id: null;
}

/** Derived, never stored: `seq` and `session_id` are null; `data.as_of_seq` is the log position it reflects. */
export interface SummaryEvent {
  seq: null;
  epoch: string;
  type: "summary";
  session_id: null;
  at: string;
  data: Summary;
}

export type SessionEvent = SessionCreatedEvent | SessionUpdatedEvent | SessionTerminatedEvent;
/** Every event a channel delivers. */
export type SwitchboardEvent = SessionEvent | FleetUpdatedEvent | SummaryEvent;

// ---- runtime descriptors ------------------------------------------------------------------------------------------

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

/** Runtime descriptors of the types above, keyed by the OpenAPI schema name they mirror. */
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
