import type {SwitchboardProblem} from "./errors.js";
import {SessionHandle, type SessionHandleOptions} from "./handle.js";
import {HttpTransport} from "./transport.js";
import {
  webhooksOf, type AcknowledgeRequest, type Alert, type AlertListResponse, type AlertRule, type AlertRuleListResponse,
  type AlertRulePutRequest, type AlertRuleRequest, type AlertState, type Webhook, type WebhookListResponse, type WebhookPutRequest,
  type WebhookRequest,
} from "./alerts.js";
import type {Approval, ApprovalAnswer, ApprovalListResponse, ApprovalState} from "./approvals.js";
import type {Command, CommandListResponse, CommandOutcome, CommandRequest, CommandState, SessionWriteResponse} from "./commands.js";
import type {
  BatchOperation, BatchResult, CountResponse, CreateSessionRequest, EventsResponse, FleetResponse, HeartbeatResponse, Labels,
  Session, SessionListResponse, SessionState, SubtreeResponse, SummaryResponse, TerminateRequest,
  TokenRequest, TokenResponse, UpdateSessionRequest, UsageQuery, UsageRequest, UsageResponse,
} from "./types.js";

export type {ClientOptions} from "./transport.js";

export interface ListSessionsOptions {
  labels?: Labels;
  states?: readonly SessionState[];
  /** true: only active sessions; false: only terminated ones. */
  active?: boolean;
  /** Only the children of this session. */
  parentId?: string;
  /** true: only root sessions (no parent); false: only sessions with a parent. */
  roots?: boolean;
  limit?: number;
  cursor?: string | null;
}

/** A page of a tree read: `cursor` is the previous page's `next_cursor`. */
export interface PageOptions {
  limit?: number;
  cursor?: string | null;
}

/** Producer and read calls over HTTP. Every method rejects with {@link SwitchboardProblem} on an error status. */
export class SwitchboardClient extends HttpTransport {
  createSession(request: CreateSessionRequest = {}): Promise<Session> {
    return this.request("POST", "/api/sessions", request);
  }

  getSession(id: string): Promise<Session> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(id)}`);
  }

  /** One page of sessions, newest first; pass `next_cursor` back as `cursor` for the next. */
  listSessions(options: ListSessionsOptions = {}): Promise<SessionListResponse> {
    return this.request("GET", "/api/sessions", undefined, sessionQuery(options));
  }

  /** Every matching session (all pages followed), newest first. */
  async listAllSessions(options: Omit<ListSessionsOptions, "cursor"> = {}): Promise<Session[]> {
    const out: Session[] = [];
    let cursor: string | null = null;
    do {
      const page: SessionListResponse = await this.listSessions({...options, cursor});
      out.push(...page.sessions);
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  countSessions(): Promise<CountResponse> {
    return this.request("GET", "/api/sessions/count");
  }

  /**
   * PATCH: only what changes; `null` clears `name`, `error_message` or `lease_seconds`. The answer is the session plus
   * `commands`, its outstanding commands (a producer's write hands them over).
   */
  updateSession(id: string, request: UpdateSessionRequest): Promise<SessionWriteResponse> {
    return this.request("PATCH", `/api/sessions/${encodeURIComponent(id)}`, request);
  }

  /** Adds token and cost usage (all amounts ≥ 0); the answer carries the session's outstanding `commands` too. */
  addUsage(id: string, usage: UsageRequest): Promise<SessionWriteResponse> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(id)}/usage`, usage);
  }

  /** Renews the session's lease; not a change, so no event. */
  heartbeat(id: string): Promise<HeartbeatResponse> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(id)}/heartbeat`);
  }

  /** Ends the session; with `{cascade: true}` every active descendant too, in the same commit (deepest first). */
  terminate(id: string, request: TerminateRequest = {}): Promise<Session> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(id)}/terminate`, request);
  }

  /** One page of a session's children, oldest first. */
  children(id: string, options: PageOptions = {}): Promise<SessionListResponse> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(id)}/children`, undefined, [["limit", options.limit], ["cursor", options.cursor]]);
  }

  /** One page of a session's subtree in tree order (each parent right before its subtree), the session first, as of `as_of_seq`. */
  tree(id: string, options: PageOptions = {}): Promise<SubtreeResponse> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(id)}/tree`, undefined, [["limit", options.limit], ["cursor", options.cursor]]);
  }

  /** The whole subtree (every page followed), in tree order. */
  async subtree(id: string): Promise<Session[]> {
    const out: Session[] = [];
    let cursor: string | null = null;
    do {
      const page: SubtreeResponse = await this.tree(id, {cursor, limit: 1000});
      out.push(...page.sessions);
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }

  /** Applies each operation on its own (not all-or-nothing); a refused one has `problem` set. */
  async batch(operations: readonly BatchOperation[]): Promise<BatchResult[]> {
    const response = await this.request<{results: BatchResult[]}>("POST", "/api/batch", {operations});
    return response.results;
  }

  summary(): Promise<SummaryResponse> {
    return this.request("GET", "/api/summary");
  }

  /** Usage history (`GET /api/usage`): tokens, cost and sessions per time bucket, for the fleet or per label value. */
  usage(query: UsageQuery = {}): Promise<UsageResponse> {
    const time = (t: string | Date | undefined) => (t instanceof Date ? t.toISOString() : t);
    return this.request("GET", "/api/usage", undefined, [
      ["bucket", query.bucket], ["since", time(query.since)], ["until", time(query.until)],
      ["group_by", query.groupBy === undefined ? undefined : `label:${query.groupBy}`],
      ["labels", query.values?.map((v) => `${query.groupBy}=${v}`).join(",")],
    ]);
  }

  /** One page of the event log after `since`. */
  events(options: {since?: number; sessionId?: string; limit?: number} = {}): Promise<EventsResponse> {
    return this.request("GET", "/api/events", undefined, [
      ["since", options.since ?? 0], ["session_id", options.sessionId], ["limit", options.limit],
    ]);
  }

  // ---- the fleet switch and subscriber tokens (docs/security.md) -------------------------------------------------

  /**
   * Whether an operator paused the fleet (`GET /api/fleet`; any key). The flag stops no write: producers read it and
   * hold off themselves, consumers see it as the summary's `is_paused` and as `fleet_updated` on `sessions`.
   */
  getFleet(): Promise<FleetResponse> {
    return this.request("GET", "/api/fleet");
  }

  /**
   * Pauses the fleet (`POST /api/fleet/pause`; an operator key, not one scoped by labels: 403 otherwise). Pausing a
   * paused fleet answers the flag and appends no second `fleet_updated`.
   */
  pauseFleet(): Promise<FleetResponse> {
    return this.request("POST", "/api/fleet/pause");
  }

  /** Resumes the fleet (`POST /api/fleet/resume`; an operator key). */
  resumeFleet(): Promise<FleetResponse> {
    return this.request("POST", "/api/fleet/resume");
  }

  /**
   * Mints a subscriber token (`POST /api/tokens`; any key, a read key too) to hand to a browser or another consumer as
   * the `Subscriber`'s `token`. It may join the topics matching `topics` (patterns such as `sessions`,
   * `session:agent-*`; default all), sees only sessions carrying all of `labels` (then never `summary` or `usage`), and
   * expires after `ttl_seconds` (default the server's, 15 min; at most 24 h). A bad field is a 400 naming it; with auth
   * off a 404 `auth_disabled` (streams need no token then).
   */
  createSubscriberToken(request: TokenRequest = {}): Promise<TokenResponse> {
    return this.request("POST", "/api/tokens", request);
  }

  // ---- commands (docs/commands.md) -------------------------------------------------------------------------------

  /** Issues `cancel`, `pause`, `resume` or `message` to the session's producer (needs a write key). */
  issueCommand(sessionId: string, request: CommandRequest): Promise<Command> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(sessionId)}/commands`, request);
  }

  /** The session's commands in the order issued, only those in `state` when given. */
  listCommands(sessionId: string, options: {state?: readonly CommandState[]; limit?: number} = {}): Promise<CommandListResponse> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(sessionId)}/commands`, undefined, [
      ["state", options.state?.join(",")], ["limit", options.limit],
    ]);
  }

  /**
   * The producer's long-poll: answers as soon as a command is pending (or in `state`), or after `waitSeconds` with none.
   * With a write key exactly the commands it answers with are handed over (they become `delivered`), and a delivered
   * command not acknowledged within the server's `Commands:RedeliverAfter` (30 s) counts as pending again: a poll whose
   * answer was lost may simply be sent again, the command comes back once its visibility timeout passes (`attempt` + 1).
   */
  pollCommands(sessionId: string, options: {waitSeconds?: number; state?: readonly CommandState[]} = {}): Promise<CommandListResponse> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(sessionId)}/commands`, undefined, [
      ["wait", options.waitSeconds ?? 30], ["state", options.state?.join(",")],
    ]);
  }

  getCommand(sessionId: string, commandId: string): Promise<Command> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(sessionId)}/commands/${encodeURIComponent(commandId)}`);
  }

  /** The producer's answer; the same answer twice is fine, a different one (or to an expired or withdrawn command) a 409. */
  acknowledgeCommand(sessionId: string, commandId: string, answer: {outcome: CommandOutcome; note?: string | null}): Promise<Command> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(sessionId)}/commands/${encodeURIComponent(commandId)}/ack`, answer);
  }

  /** Withdraws a pending command (a 409 once a producer was handed it). */
  withdrawCommand(sessionId: string, commandId: string): Promise<Command> {
    return this.request("DELETE", `/api/sessions/${encodeURIComponent(sessionId)}/commands/${encodeURIComponent(commandId)}`);
  }

  // ---- approvals (docs/approvals.md) -----------------------------------------------------------------------------

  /**
   * Asks a person to approve something the session's producer is about to do, and waits for the answer: up to
   * `waitSeconds` (300 when not given), in long-polls of at most 60 s. Resolves with the approval as it is then: act only
   * when `state` is `"allowed"`. The session is `waiting` until it is answered. Needs a write key.
   */
  async requestApproval(sessionId: string, request: {summary: string; tool?: string | null; data?: Record<string, unknown> | null;
    expires_in_seconds?: number}, options: {waitSeconds?: number} = {}): Promise<Approval> {
    const deadline = Date.now() + (options.waitSeconds ?? 300) * 1000;
    const slice = () => Math.max(0, Math.min(60, Math.ceil((deadline - Date.now()) / 1000)));
    let approval = await this.request<Approval>("POST", `/api/sessions/${encodeURIComponent(sessionId)}/approvals`, request, [["wait", slice()]]);
    while (approval.state === "pending" && slice() > 0) {
      approval = await this.getApproval(sessionId, approval.id, {waitSeconds: slice()});
    }

    return approval;
  }

  /** One approval; with `waitSeconds` (at most 60), held until it is no longer pending. */
  getApproval(sessionId: string, approvalId: string, options: {waitSeconds?: number} = {}): Promise<Approval> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(sessionId)}/approvals/${encodeURIComponent(approvalId)}`, undefined, [
      ["wait", options.waitSeconds],
    ]);
  }

  /** The session's approvals in the order asked, only those in `state` when given. */
  listApprovals(sessionId: string, options: {state?: readonly ApprovalState[]; limit?: number} = {}): Promise<ApprovalListResponse> {
    return this.request("GET", `/api/sessions/${encodeURIComponent(sessionId)}/approvals`, undefined, [
      ["state", options.state?.join(",")], ["limit", options.limit],
    ]);
  }

  /**
   * An operator's answer (an operator key): allow (with a `suggestion`: allow always), deny (with `interrupt`: and stop),
   * or a question's `answers`; see {@link ApprovalAnswer}. The same answer twice is fine, any answer once it is not
   * pending a 409 `approval_not_pending`; one that does not fit the approval a 400 naming the field.
   */
  answerApproval(sessionId: string, approvalId: string, answer: ApprovalAnswer): Promise<Approval> {
    return this.request("POST", `/api/sessions/${encodeURIComponent(sessionId)}/approvals/${encodeURIComponent(approvalId)}`, answer);
  }

  // ---- alerts and webhooks (docs/alerts.md) ----------------------------------------------------------------------

  /** Every rule: from configuration (`source: "config"`, read-only) and stored over HTTP. */
  async listAlertRules(): Promise<AlertRule[]> {
    const response = await this.request<AlertRuleListResponse>("GET", "/api/alert-rules");
    return response.rules;
  }

  /** Stores a rule (the id is generated when left out); a bad rule is a 400 problem naming the field. */
  createAlertRule(rule: AlertRuleRequest): Promise<AlertRule> {
    return this.request("POST", "/api/alert-rules", rule);
  }

  getAlertRule(id: string): Promise<AlertRule> {
    return this.request("GET", `/api/alert-rules/${encodeURIComponent(id)}`);
  }

  /**
   * `PUT`: creates the rule with this id or replaces it (`rule.id`, if given, must be the same). With `expected_version`
   * (the `version` read) it only replaces a rule still at that version: otherwise a 409 `version_conflict` (404 when
   * there is none) and nothing changes.
   */
  replaceAlertRule(id: string, rule: AlertRulePutRequest): Promise<AlertRule> {
    return this.request("PUT", `/api/alert-rules/${encodeURIComponent(id)}`, rule);
  }

  /** Deletes a stored rule; its open alerts resolve with `rule_deleted`. */
  async deleteAlertRule(id: string): Promise<void> {
    await this.request("DELETE", `/api/alert-rules/${encodeURIComponent(id)}`);
  }

  /** Alerts, newest first: `open` (the server's default), `resolved` or `all`. */
  listAlerts(options: {state?: AlertState | "all"; limit?: number} = {}): Promise<AlertListResponse> {
    return this.request("GET", "/api/alerts", undefined, [["state", options.state], ["limit", options.limit]]);
  }

  getAlert(id: string): Promise<Alert> {
    return this.request("GET", `/api/alerts/${encodeURIComponent(id)}`);
  }

  /** Records who acknowledged the alert and why; it stays open (acknowledging is not resolving). */
  acknowledgeAlert(id: string, request: AcknowledgeRequest): Promise<Alert> {
    return this.request("POST", `/api/alerts/${encodeURIComponent(id)}/ack`, request);
  }

  async listWebhooks(): Promise<Webhook[]> {
    return webhooksOf(await this.request<WebhookListResponse>("GET", "/api/webhooks"));
  }

  /** Creates an endpoint; the answer is the only one that carries its `secret` (generated when left out). */
  createWebhook(request: WebhookRequest): Promise<Webhook> {
    return this.request("POST", "/api/webhooks", request);
  }

  getWebhook(id: string): Promise<Webhook> {
    return this.request("GET", `/api/webhooks/${encodeURIComponent(id)}`);
  }

  /**
   * `PUT`: replaces the configuration, keeping the delivery state (and the secret, unless one is given). With
   * `expected_version` (the `version` read) only while the endpoint is at that version: otherwise a 409
   * `version_conflict` and nothing changes.
   */
  replaceWebhook(id: string, request: WebhookPutRequest): Promise<Webhook> {
    return this.request("PUT", `/api/webhooks/${encodeURIComponent(id)}`, request);
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.request("DELETE", `/api/webhooks/${encodeURIComponent(id)}`);
  }

  /** Delivers every event from `fromSeq` on again, in order, and makes the endpoint `active`. */
  replayWebhook(id: string, fromSeq: number): Promise<Webhook> {
    return this.request("POST", `/api/webhooks/${encodeURIComponent(id)}/replay`, {from_seq: fromSeq});
  }

  /**
   * Creates a session (state `working` unless given) and returns a handle that coalesces rapid updates into one
   * request, heartbeats while the session is leased, and flushes what is pending before it terminates.
   */
  async startSession(request: CreateSessionRequest = {}, options: SessionHandleOptions = {}): Promise<SessionHandle> {
    const session = await this.createSession({state: "working", ...request});
    return new SessionHandle(this, session, options);
  }
}

function sessionQuery(options: ListSessionsOptions): Array<[string, string | number | boolean | null | undefined]> {
  const query: Array<[string, string | number | boolean | null | undefined]> = [];
  for (const [k, v] of Object.entries(options.labels ?? {})) query.push(["label", `${k}=${v}`]);
  if (options.states?.length) query.push(["state", options.states.join(",")]);
  query.push(["active", options.active], ["parent_id", options.parentId], ["roots", options.roots], ["limit", options.limit], ["cursor", options.cursor]);
  return query;
}
