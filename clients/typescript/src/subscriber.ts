import {Socket, type Channel} from "phoenix";
import type {Labels, LoggedEvent, Session, Summary, SummaryEvent, SwitchboardEvent} from "./types.js";
import {ResumeCursor, type StreamPosition} from "./live.js";
import {ALERT_EVENT_TYPES, webhooksOf, type Alert, type Webhook, type WebhooksEvent} from "./alerts.js";
import {APPROVAL_EVENT_TYPES, type Approval} from "./approvals.js";
import {COMMAND_EVENT_TYPES, type Command} from "./commands.js";

/** `connecting` before the first open, `open`, `reconnecting` after a drop (with backoff), `closed` after `disconnect()`. */
export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface SubscriberOptions {
  /** The server's base URL (`http://host:5080`, may include a prefix); the socket is `{url}/socket`. */
  url: string;
  /** A subscriber token (or a function giving the current one), sent as the `token` param of every (re)connect. */
  token?: string | (() => string | undefined);
  /** The WebSocket constructor. Browsers and Node ≥ 22 have one; on Node 20 pass `WebSocket` from the `ws` package. */
  WebSocket?: unknown;
  /** Delay before reconnect attempt `tries` (1, 2, …). Default: 100 ms doubling to 5 s, with ±20 % jitter. */
  backoff?: (tries: number) => number;
  /** Phoenix client heartbeat interval (default 15 s). */
  heartbeatIntervalMs?: number;
}

export type {StreamPosition};

/** What a join answered, for every (re)join. */
export interface JoinInfo {
  topic: string;
  seq: number;
  epoch: string;
  resumed: boolean;
  replayed: number;
}

/**
 * The explicit snapshot-reset signal: the server could not replay what was missed (first join, another epoch, a
 * purged log), so local state must be replaced by this snapshot. Events after `seq` follow.
 */
export interface SnapshotReset {
  topic: string;
  seq: number;
  epoch: string;
  /** True for the first join of the subscription (no position yet), false when a resume fell back to a snapshot. */
  initial: boolean;
  /** `sessions`: the newest active sessions (complete when `next_cursor` is null). */
  sessions?: Session[];
  next_cursor?: string | null;
  /** `sessions` and `summary` (absent for labels-scoped tokens). */
  summary?: Summary | null;
  /** `session:{id}`: the session, or null if it does not exist at `seq`. */
  session?: Session | null;
  /**
   * `session:{id}` with `subtree: true`: the first page of the session's descendants in tree order, as of `seq`; when
   * `next_cursor` is set, read the rest with `client.tree(id, {cursor})`.
   */
  descendants?: Session[];
  /** `alerts`: the open alerts at `seq`, oldest first. */
  alerts?: Alert[];
  /** `approvals`: the approvals pending at `seq`, in the order asked; `approvals_complete` is false when the list was cut. */
  approvals?: Approval[];
  approvals_complete?: boolean;
  /** `commands`: the commands outstanding at `seq`, in the order issued; `commands_complete` is false when the list was cut. */
  commands?: Command[];
  commands_complete?: boolean;
}

export interface SubscriptionHandlers {
  /**
   * A logged event (`seq` set), in order, each exactly once, typed by `type`: a session's topic also carries its alerts',
   * commands' and approvals' events; `alerts`, `commands` and `approvals` carry only their own (see {@link LoggedEvent}).
   */
  onEvent?: (event: LoggedEvent) => void;
  onSummary?: (summary: Summary, event: SummaryEvent) => void;
  /**
   * `webhooks`: every endpoint with its delivery state, the whole list as `client.listWebhooks()` gives it (no secrets),
   * right after each (re)join goes live and again whenever it changes.
   */
  onWebhooks?: (webhooks: Webhook[], event: WebhooksEvent) => void;
  /** Replace local state with the snapshot (see {@link SnapshotReset}). */
  onReset?: (snapshot: SnapshotReset) => void;
  onJoin?: (info: JoinInfo) => void;
  /** A join was refused (e.g. `unauthorized`, `store unavailable`); the phoenix client retries with backoff. */
  onJoinError?: (response: {reason?: string; detail?: string}) => void;
}

/** What else {@link Subscriber.followWebhooks} reports: each (re)join, and a refused one (a labels-scoped token's `unauthorized`). */
export type WebhooksHandlers = Pick<SubscriptionHandlers, "onJoin" | "onJoinError">;

export interface SubscribeOptions {
  /** Resume after this position instead of starting from a snapshot. */
  since?: StreamPosition;
  /** `sessions`: only sessions carrying all these labels. */
  labels?: Labels;
  /** `sessions` and subtrees: snapshot size (0–1000, default 100). */
  limit?: number;
  /** `session:{id}`: follow the whole subtree: a snapshot of it, then the events of every descendant too. */
  subtree?: boolean;
  /** Presence: `{name, id?}`. */
  viewer?: {name: string; id?: string};
}

// Every event name a topic can carry: phoenix hands the channel only the events it has a handler for.
const EVENT_NAMES: readonly SwitchboardEvent["type"][] = [
  "session_created", "session_updated", "session_terminated", "fleet_updated", "summary", "webhooks",
  ...ALERT_EVENT_TYPES, ...COMMAND_EVENT_TYPES, ...APPROVAL_EVENT_TYPES,
];

/** Default reconnect backoff: 100 ms doubling to 5 s, ±20 % jitter. */
export function defaultBackoff(tries: number): number {
  const base = Math.min(5000, 100 * 2 ** Math.max(0, tries - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** One topic's channel; its position moves with every event and survives reconnects. */
export class Subscription {
  readonly topic: string;
  private readonly cursor: ResumeCursor;
  private readonly channel: Channel;
  private readonly handlers: SubscriptionHandlers;
  private readonly release: () => void;
  private joinedOnce = false;
  private closed = false;

  /** @internal */
  constructor(socket: Socket, topic: string, handlers: SubscriptionHandlers, options: SubscribeOptions, release: () => void) {
    this.topic = topic;
    this.release = release;
    this.handlers = handlers;
    this.cursor = new ResumeCursor(options.since ?? null);
    const base: Record<string, unknown> = {};
    if (options.labels) base.labels = options.labels;
    if (options.limit !== undefined) base.limit = options.limit;
    if (options.subtree) base.subtree = true;
    if (options.viewer) base.viewer = options.viewer;
    // A function, so every rejoin carries the latest position.
    this.channel = socket.channel(topic, () => this.cursor.joinParams(base));
    for (const name of EVENT_NAMES) this.channel.on(name, (payload: unknown) => this.deliver(payload as SwitchboardEvent));
    this.channel.join()
      .receive("ok", (reply: Record<string, unknown>) => this.joined(reply))
      .receive("error", (reply: {reason?: string; detail?: string}) => this.handlers.onJoinError?.(reply));
  }

  /** The position after the last event delivered (or the last snapshot): what the next rejoin resumes from. */
  get position(): StreamPosition | null {
    return this.cursor.position;
  }

  /** Events at or below the position that arrived again and were dropped (a correct server sends none). */
  get duplicatesDropped(): number {
    return this.cursor.duplicatesDropped;
  }

  /** Leaves the channel; no handler is called afterwards. */
  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.leave();
    this.release();
  }

  private joined(reply: Record<string, unknown>): void {
    if (this.closed) return;
    const info: JoinInfo = {
      topic: this.topic, seq: reply.seq as number, epoch: reply.epoch as string,
      resumed: reply.resumed === true, replayed: (reply.replayed as number) ?? 0,
    };
    const initial = !this.joinedOnce;
    this.joinedOnce = true;
    if (this.cursor.joined(info)) {
      const snapshot: SnapshotReset = {topic: this.topic, seq: info.seq, epoch: info.epoch, initial};
      if ("sessions" in reply) snapshot.sessions = reply.sessions as Session[];
      if ("next_cursor" in reply) snapshot.next_cursor = reply.next_cursor as string | null;
      if ("summary" in reply) snapshot.summary = reply.summary as Summary | null;
      if ("session" in reply) snapshot.session = reply.session as Session | null;
      if ("descendants" in reply) snapshot.descendants = reply.descendants as Session[];
      if ("alerts" in reply) snapshot.alerts = reply.alerts as Alert[];
      if ("approvals" in reply) snapshot.approvals = reply.approvals as Approval[];
      if ("approvals_complete" in reply) snapshot.approvals_complete = reply.approvals_complete as boolean;
      if ("commands" in reply) snapshot.commands = reply.commands as Command[];
      if ("commands_complete" in reply) snapshot.commands_complete = reply.commands_complete as boolean;
      this.handlers.onReset?.(snapshot);
    }
    this.handlers.onJoin?.(info);
  }

  private deliver(event: SwitchboardEvent): void {
    if (this.closed) return;
    if (event.type === "summary") {
      this.handlers.onSummary?.(event.data, event);
      return;
    }
    if (event.type === "webhooks") {
      this.handlers.onWebhooks?.(webhooksOf(event.data), event);
      return;
    }
    if (!this.cursor.accept(event)) return;
    this.handlers.onEvent?.(event);
  }
}

interface SocketSlot {
  socket: Socket;
  state: ConnectionState;
  /** Topics joined on this socket: a phoenix socket holds one channel per topic (a second join replaces the first). */
  topics: Set<string>;
}

/**
 * Phoenix sockets to the server, shared by any number of subscriptions. A socket carries one channel per topic, so
 * a second subscription to a topic already joined (say `sessions` with other labels) gets a socket of its own.
 * Each socket reconnects with backoff on its own and rejoins every channel with its latest position, so a
 * subscriber resumes without a gap or a duplicate. The connection state is the worst of the sockets' states.
 */
export class Subscriber {
  private readonly options: SubscriberOptions;
  private readonly transport: unknown;
  private readonly slots: SocketSlot[] = [];
  private stateValue: ConnectionState = "connecting";
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private disconnected = false;

  constructor(options: SubscriberOptions) {
    this.options = options;
    this.transport = options.WebSocket ?? (globalThis as {WebSocket?: unknown}).WebSocket;
    if (!this.transport) {
      throw new Error("No WebSocket constructor: on Node.js 20 pass `WebSocket` from the 'ws' package to the subscriber.");
    }
    this.openSocket();
  }

  /** The first socket (more are opened when a topic is subscribed twice). */
  get socket(): Socket {
    return this.slots[0]!.socket;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Calls `listener` on every change of the connection state; returns the function that stops it. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Joins `topic` (`sessions`, `summary`, `session:{id}`, `alerts`, `approvals`, `commands` or `webhooks`). */
  subscribe(topic: string, handlers: SubscriptionHandlers, options: SubscribeOptions = {}): Subscription {
    if (this.disconnected) throw new Error("the subscriber was disconnected");
    const slot = this.slots.find(s => !s.topics.has(topic)) ?? this.openSocket();
    slot.topics.add(topic);
    return new Subscription(slot.socket, topic, handlers, options, () => this.release(slot, topic));
  }

  /**
   * Follows the webhook endpoints live (the `webhooks` topic): `onWebhooks` gets every endpoint with its delivery state
   * (cursor, attempts, failures, lag, state, last error), the whole list as `client.listWebhooks()` gives it, right after
   * the join goes live and again whenever anything in it changes. There is nothing to resume: after a reconnect the
   * rejoin brings the current list again. The topic is fleet-wide, so a labels-scoped token is refused:
   * `handlers.onJoinError` gets `{reason: "unauthorized"}` (and the join is retried with backoff, as any refused join).
   * `unsubscribe()` the returned subscription to stop.
   */
  followWebhooks(onWebhooks: (webhooks: Webhook[], event: WebhooksEvent) => void, handlers: WebhooksHandlers = {}): Subscription {
    return this.subscribe("webhooks", {...handlers, onWebhooks});
  }

  /** Closes the sockets for good. */
  disconnect(): void {
    if (this.disconnected) return;
    this.disconnected = true;
    for (const slot of this.slots) slot.socket.disconnect();
    this.setState("closed");
  }

  private release(slot: SocketSlot, topic: string): void {
    slot.topics.delete(topic);
    const i = this.slots.indexOf(slot);
    if (i > 0 && slot.topics.size === 0) {
      this.slots.splice(i, 1);
      slot.socket.disconnect();
      this.update();
    }
  }

  private openSocket(): SocketSlot {
    const backoff = this.options.backoff ?? defaultBackoff;
    const token = this.options.token;
    const endpoint = this.options.url.replace(/\/+$/, "").replace(/^http/, "ws") + "/socket";
    const socket = new Socket(endpoint, {
      transport: this.transport as never,
      params: () => {
        const t = typeof token === "function" ? token() : token;
        return t ? {token: t} : {};
      },
      reconnectAfterMs: backoff,
      rejoinAfterMs: backoff,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 15000,
    } as never);
    const slot: SocketSlot = {socket, state: "connecting", topics: new Set()};
    const set = (state: ConnectionState) => {
      slot.state = state;
      this.update();
    };
    socket.onOpen(() => set("open"));
    socket.onClose(() => set("reconnecting"));
    socket.onError(() => set(slot.state === "connecting" ? "connecting" : "reconnecting"));
    this.slots.push(slot);
    socket.connect();
    this.update();
    return slot;
  }

  private update(): void {
    const states = this.slots.map(s => s.state);
    const state: ConnectionState = this.disconnected ? "closed"
      : states.includes("reconnecting") ? "reconnecting"
      : states.includes("connecting") ? "connecting"
      : "open";
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}
