// The wire shapes of Switchboard's HTTP API and live stream. Each interface that mirrors a schema of the server's
// OpenAPI document (/openapi/v1.json) has a runtime descriptor below (`schemas`), which the compiler holds to the
// interface (every property, whether it is required, whether it may be null) and the tests compare with the document
// a running server serves, so the types cannot drift from the server. Alert and webhook shapes are in alerts.ts,
// the descriptors in schemas.ts.

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
