// The wire shapes of Switchboard's HTTP API and live stream. The HTTP shapes are generated from the server's OpenAPI
// document into wire.ts (`node clients/codegen/generate.mjs`; a test fails when it drifts); this file gives them the
// names the client uses and adds what the document does not describe: the live stream's typed events and the summary
// they carry. Alert and webhook names are in alerts.ts, command and approval names in commands.ts and approvals.ts.

import type {
  BatchOperationBatchCreate, BatchOperationBatchHeartbeat, BatchOperationBatchTerminate, BatchOperationBatchUpdate,
  BatchOperationBatchUsage, Problem, ReportedSessionState, SessionResponse, SessionState, SummaryResponse, UsageBucket,
} from "./wire.js";
import type {AlertEvent, WebhooksEvent} from "./alerts.js";
import type {ApprovalEvent} from "./approvals.js";
import type {CommandEvent} from "./commands.js";

export {
  EVENT_TYPES, SESSION_STATES, USAGE_BUCKETS, type LoggedEventType, type ReportedSessionState, type SessionState, type UsageBucket,
} from "./wire.js";
export type {
  BatchResult, CountResponse, CreateSessionRequest, EventEnvelope, EventsResponse, FleetResponse, HeartbeatResponse,
  SessionListResponse, SubtreeResponse, SummaryResponse, TerminateRequest, TokenRequest, TokenResponse, UpdateSessionRequest,
  UsagePoint, UsageRequest, UsageResponse, UsageSeries,
} from "./wire.js";

/** States after which a session no longer counts as active. */
export const TERMINAL_STATES: readonly SessionState[] = ["terminated"];

export type Labels = Record<string, string>;
export type Metadata = Record<string, unknown>;

/** A session as the HTTP API returns it (`SessionResponse`). Times are ISO 8601 UTC strings. */
export type Session = SessionResponse;

/**
 * Totals over a session and all its descendants (`session.subtree`), and the shape of what one event of a child adds to
 * each of its ancestors (`data.subtree_delta`, where `active` may be -1).
 */
export type SubtreeTotals = SessionResponse["subtree"];

/**
 * What an event of a child session that changed its totals carries for whoever holds its ancestors: their ids, root
 * first, and what the event added to each one's `subtree` (no event is sent per ancestor).
 */
export interface TreeDelta {
  ancestors?: string[];
  subtree_delta?: SubtreeTotals;
}

/** The fleet summary as events and join replies carry it: `SummaryResponse` without the log's epoch. */
export type Summary = Omit<SummaryResponse, "epoch">;

/** RFC 9457 problem details (`Problem`), as every error status of the API carries them. */
export type ProblemDetails = Problem;

export type BatchCreate = BatchOperationBatchCreate;
export type BatchUpdate = BatchOperationBatchUpdate;
export type BatchUsage = BatchOperationBatchUsage;
export type BatchHeartbeat = BatchOperationBatchHeartbeat;
export type BatchTerminate = BatchOperationBatchTerminate;
/** One operation of `POST /api/batch`, discriminated by `op`. */
export type BatchOperation = BatchCreate | BatchUpdate | BatchUsage | BatchHeartbeat | BatchTerminate;

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

export interface SessionCreatedEvent extends EventBase<"session_created", {session: Session; active_count?: number} & TreeDelta> {
  session_id: string;
}

/** `data.changes` holds only the fields that changed (plus `updated_at`); `version` is the session's new version. */
export interface SessionUpdatedEvent
  extends EventBase<"session_updated", {
    changes: Partial<Omit<Session, "id" | "version">> & {updated_at: string};
    previous_state?: ReportedSessionState;
    version: number;
    reason?: string;
    /** The whole session after the change, when the event carries it: a move under a parent agent (reason `adopted`). */
    session?: Session;
  } & TreeDelta> {
  session_id: string;
}

export interface SessionTerminatedEvent
  extends EventBase<"session_terminated", {session: Session; reason?: string | null; active_count?: number} & TreeDelta> {
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
/**
 * A logged event (`seq` set), discriminated by `type`: what `onEvent` receives. Which a topic carries: `sessions` the
 * session events and `fleet_updated`; `session:{id}` that session's events and its alerts', commands' and approvals';
 * `alerts`, `commands` and `approvals` their own kind only (the server's docs/protocol.md#topics).
 */
export type LoggedEvent = SessionEvent | FleetUpdatedEvent | AlertEvent | CommandEvent | ApprovalEvent;
/** Every event a channel delivers: the `webhooks` topic's pushes too. */
export type SwitchboardEvent = LoggedEvent | SummaryEvent | WebhooksEvent;

/** True for `session_created`, `session_updated` and `session_terminated`: the events that change a session. */
export function isSessionEvent(event: {readonly type: string}): event is SessionEvent {
  return event.type === "session_created" || event.type === "session_updated" || event.type === "session_terminated";
}
