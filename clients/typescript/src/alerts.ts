// Alert rules, alerts and webhook endpoints as the HTTP API has them (docs/alerts.md); descriptors in schemas.ts.

import type {Labels, LoggedEventType} from "./types.js";

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
