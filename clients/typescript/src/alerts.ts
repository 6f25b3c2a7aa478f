// Alert rules, alerts and webhook endpoints as the HTTP API has them (docs/alerts.md): the names the client uses for the
// shapes generated into wire.ts from the server's OpenAPI document.

import type {AlertResponse, AlertRuleResponse, WebhookListResponse, WebhookResponse} from "./wire.js";

export {
  ALERT_CONDITIONS, ALERT_SEVERITIES, ALERT_STATES, WEBHOOK_STATES, type AlertCondition, type AlertSeverity, type AlertState,
  type WebhookState,
} from "./wire.js";
export type {
  AcknowledgeRequest, AlertListResponse, AlertRuleListResponse, AlertRulePutRequest, AlertRuleRequest, ReplayRequest,
  WebhookListResponse, WebhookPutRequest, WebhookRequest,
} from "./wire.js";

/** A rule as the API returns it (`AlertRuleResponse`); `source` is `config` (read-only) or `api`. */
export type AlertRule = AlertRuleResponse;

/** An alert (`AlertResponse`): one per rule and subject while open; `subject` is a session id or `fleet`. */
export type Alert = AlertResponse;

/** A webhook endpoint with its delivery state (`WebhookResponse`); `secret` is present only in the create answer. */
export type Webhook = WebhookResponse;

/**
 * The endpoints of a `{"webhooks": [...]}` list: what `GET /api/webhooks` answers and what the `webhooks` topic pushes.
 * The one reading of that list, used by `client.listWebhooks()` and `subscriber.followWebhooks(…)` alike.
 */
export function webhooksOf(list: WebhookListResponse): Webhook[] {
  return list.webhooks;
}

/**
 * A push of the `webhooks` topic: every endpoint's delivery state, whole (`data` is the `GET /api/webhooks` answer, no
 * secrets). Derived, never logged: `seq` and `session_id` are null, and there is nothing to resume.
 */
export interface WebhooksEvent {
  seq: null;
  epoch: string;
  type: "webhooks";
  session_id: null;
  at: string;
  data: WebhookListResponse;
}

export type AlertEventType = "alert_raised" | "alert_resolved" | "alert_acknowledged";

/** The alert event types, as the `alerts` topic (and the topic of the session an alert is about) delivers them. */
export const ALERT_EVENT_TYPES: readonly AlertEventType[] = ["alert_raised", "alert_resolved", "alert_acknowledged"];

/** One step of an alert's life; `data.alert` is the alert after it. `session_id` is null for a fleet alert. */
export interface AlertEvent {
  seq: number;
  epoch: string;
  type: AlertEventType;
  session_id: string | null;
  at: string;
  data: {alert: Alert};
}
