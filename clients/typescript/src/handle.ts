import type {SwitchboardClient} from "./client.js";
import type {Approval} from "./approvals.js";
import type {Command, CommandHandlerResult} from "./commands.js";
import type {Subscriber, Subscription} from "./subscriber.js";
import type {Session, UpdateSessionRequest, UsageRequest} from "./types.js";
import {SessionStream} from "./stream.js";

export interface SessionHandleOptions {
  /** How long an update waits for more before it is sent (default 50 ms). Updates made meanwhile go in one PATCH. */
  coalesceMs?: number;
  /** Heartbeat interval while leased (default a third of `lease_seconds`, at least 200 ms). */
  heartbeatMs?: number;
  /**
   * Called with a failed background send (a coalesced update or a heartbeat). Without it the error is kept and
   * the next `flush()`, `terminate()` or `fail()` rejects with it.
   */
  onError?: (error: unknown) => void;
  /**
   * Also take commands from the session's topic over this subscriber's socket, the moment they are issued. Without it
   * the handle learns its commands from the answers to its own updates, usage and heartbeats (every third of a lease).
   */
  subscriber?: Subscriber;
}

/** What the handle has sent so far. */
export interface SessionHandleStats {
  updates: number;
  usages: number;
  heartbeats: number;
}

/**
 * A session being worked on. `update()` and `addUsage()` return at once; changes made within `coalesceMs` of each
 * other go out as one request (later values win, usage amounts add up). Requests are sent one at a time, in order.
 * While the session has a lease the handle heartbeats on its own. `terminate()` sends what is pending first.
 */
export class SessionHandle {
  readonly id: string;
  /** The session as the server last returned it. */
  session: Session;
  readonly stats: SessionHandleStats = {updates: 0, usages: 0, heartbeats: 0};

  private readonly client: SwitchboardClient;
  private readonly coalesceMs: number;
  private readonly heartbeatMsOption: number | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;
  private pendingUpdate: UpdateSessionRequest | null = null;
  private pendingUsage: Required<UsageRequest> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeatPeriod: number | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private unreported: unknown = null;
  private closed = false;
  private commandHandler: ((command: Command) => CommandHandlerResult | Promise<CommandHandlerResult>) | null = null;
  private readonly seenCommands = new Set<string>();
  private readonly waitingCommands: Command[] = [];
  private readonly subscriber: Subscriber | undefined;
  private commandSubscription: Subscription | null = null;
  private readonly streams = new Map<string, SessionStream>();

  /**
   * The session's durable stream `name` (`/v1/stream/sessions/{id}/{name}`, e.g. `output`), created with `contentType`
   * on its first append. The same name gives the same stream object.
   */
  stream(name: string, contentType = "text/plain"): SessionStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new SessionStream(this.client, this.id, name, contentType);
      this.streams.set(name, stream);
    }
    return stream;
  }

  constructor(client: SwitchboardClient, session: Session, options: SessionHandleOptions = {}) {
    this.client = client;
    this.session = session;
    this.id = session.id;
    this.coalesceMs = options.coalesceMs ?? 50;
    this.heartbeatMsOption = options.heartbeatMs;
    this.onError = options.onError;
    this.subscriber = options.subscriber;
    this.scheduleHeartbeats();
  }

  /**
   * Hands each command issued to this session to `handler`, once (the server hands a command over again when it is not
   * acknowledged within its visibility timeout, 30 s by default; the handle drops repeats by id), and acknowledges it when `handler` resolves: `done`, or the outcome
   * and note it resolves with; `failed` with the error's message when it rejects. Commands that arrived before the
   * handler was set are handed to it at once. Returns a function that stops the handler.
   */
  onCommand(handler: (command: Command) => CommandHandlerResult | Promise<CommandHandlerResult>): () => void {
    this.commandHandler = handler;
    for (const command of this.waitingCommands.splice(0)) this.dispatch(command);
    if (this.subscriber && !this.commandSubscription && !this.closed) {
      this.commandSubscription = this.subscriber.subscribe(`session:${this.id}`, {
        onEvent: event => {
          if (event.type === "command_issued" || event.type === "command_delivered") this.learn([event.data.command]);
        },
        // A fresh snapshot (first join, or a resume that could not be replayed): read what is outstanding.
        onReset: () => {
          this.client.listCommands(this.id, {state: ["pending", "delivered"]}).then(list => this.learn(list.commands), e => this.report(e));
        },
      });
    }
    return () => {
      if (this.commandHandler === handler) this.commandHandler = null;
      this.commandSubscription?.unsubscribe();
      this.commandSubscription = null;
    };
  }

  /** True until `terminate()` or `fail()`. */
  /**
   * Asks a person to approve something this agent is about to do, and waits for the answer (`waitSeconds`, 300 when not
   * given); the session is `waiting` meanwhile on every dashboard. Act only when the result's `state` is `"allowed"`:
   * denied, expired or still pending means follow your own rules. Pending updates are sent first.
   */
  async requestApproval(request: {summary: string; tool?: string | null; data?: Record<string, unknown> | null},
    options: {waitSeconds?: number} = {}): Promise<Approval> {
    this.ensureOpen();
    await this.flush();
    const waitSeconds = options.waitSeconds ?? 300;
    return this.client.requestApproval(this.id, {...request, expires_in_seconds: Math.max(1, Math.ceil(waitSeconds))}, {waitSeconds});
  }

  get active(): boolean {
    return !this.closed;
  }

  /** Queues a change; changes within `coalesceMs` are merged (the later value of a field wins). */
  update(changes: Omit<UpdateSessionRequest, "expected_version">): void {
    this.ensureOpen();
    this.pendingUpdate = {...(this.pendingUpdate ?? {}), ...changes};
    this.scheduleFlush();
  }

  /** Queues usage to add; amounts queued within `coalesceMs` are summed into one request. */
  addUsage(usage: UsageRequest): void {
    this.ensureOpen();
    const p = this.pendingUsage ?? {input_tokens: 0, output_tokens: 0, cost_usd: 0};
    this.pendingUsage = {
      input_tokens: p.input_tokens + (usage.input_tokens ?? 0),
      output_tokens: p.output_tokens + (usage.output_tokens ?? 0),
      cost_usd: p.cost_usd + (usage.cost_usd ?? 0),
    };
    this.scheduleFlush();
  }

  /** Sends what is pending now; resolves with the session as the server has it afterwards. */
  async flush(): Promise<Session> {
    this.cancelFlushTimer();
    await this.enqueue(() => this.send());
    this.throwUnreported();
    return this.session;
  }

  /** Stops heartbeats, sends what is pending, then terminates the session. */
  async terminate(reason = "finished"): Promise<Session> {
    this.ensureOpen();
    this.close();
    await this.enqueue(() => this.send());
    this.throwUnreported();
    this.session = await this.enqueue(() => this.client.terminate(this.id, {reason}));
    return this.session;
  }

  /**
   * Stops heartbeats, sends what is pending, then puts the session in state `error` with the message. Also usable
   * after a `terminate()` that failed.
   */
  async fail(error: unknown): Promise<Session> {
    this.close();
    const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
    this.pendingUpdate = {...(this.pendingUpdate ?? {}), state: "error", error_message: message};
    await this.enqueue(() => this.send());
    this.throwUnreported();
    return this.session;
  }

  /** Stops the timers without telling the server (the lease, if any, then runs out). */
  dispose(): void {
    this.close();
  }

  private close(): void {
    this.closed = true;
    this.commandSubscription?.unsubscribe();
    this.commandSubscription = null;
    this.cancelFlushTimer();
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.heartbeatPeriod = null;
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`session ${this.id}: the handle was terminated`);
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.enqueue(() => this.send()).catch(() => {
        // Reported through report() inside send().
      });
    }, this.coalesceMs);
  }

  private cancelFlushTimer(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** Runs one request after the ones before it. */
  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Sends the pending update and usage, taken at the moment this runs (later changes wait for the next send). */
  private async send(): Promise<void> {
    const update = this.pendingUpdate;
    const usage = this.pendingUsage;
    this.pendingUpdate = null;
    this.pendingUsage = null;
    try {
      if (update) {
        const {commands, ...session} = await this.client.updateSession(this.id, update);
        this.session = session;
        this.stats.updates++;
        this.learn(commands);
        this.scheduleHeartbeats();
      }
      if (usage) {
        const {commands, ...session} = await this.client.addUsage(this.id, usage);
        this.session = session;
        this.stats.usages++;
        this.learn(commands);
      }
    } catch (e) {
      this.report(e);
    }
  }

  /** Commands not seen before go to the handler (or wait for one); repeats of a command are dropped by id. */
  private learn(commands: readonly Command[] | undefined): void {
    for (const command of commands ?? []) {
      if (command.session_id !== this.id || (command.state !== "pending" && command.state !== "delivered")) continue;
      if (this.seenCommands.has(command.id)) continue;
      this.seenCommands.add(command.id);
      if (this.commandHandler) this.dispatch(command);
      else this.waitingCommands.push(command);
    }
  }

  private dispatch(command: Command): void {
    const handler = this.commandHandler!;
    (async () => {
      let answer: {outcome: "done" | "rejected" | "failed"; note?: string | null};
      try {
        const result = await handler(command);
        answer = {outcome: result?.outcome ?? "done", note: result?.note ?? null};
      } catch (e) {
        answer = {outcome: "failed", note: (e instanceof Error ? e.message : String(e)).slice(0, 2000)};
      }
      await this.client.acknowledgeCommand(this.id, command.id, answer);
    })().catch(e => this.report(e));
  }

  private report(error: unknown): void {
    if (this.onError) this.onError(error);
    else this.unreported ??= error;
  }

  private throwUnreported(): void {
    const error = this.unreported;
    if (error !== null) {
      this.unreported = null;
      throw error;
    }
  }

  /** Heartbeats every third of the lease while the session is leased and the handle open. */
  private scheduleHeartbeats(): void {
    const lease = this.session.lease_seconds;
    const period = this.closed || lease === null ? null : (this.heartbeatMsOption ?? Math.max(200, (lease * 1000) / 3));
    if (period === this.heartbeatPeriod) return;
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.heartbeatPeriod = period;
    if (period === null) return;
    this.heartbeatTimer = setInterval(() => {
      this.enqueue(async () => {
        if (this.closed) return;
        try {
          const beat = await this.client.heartbeat(this.id);
          this.stats.heartbeats++;
          this.learn(beat.commands);
        } catch (e) {
          this.report(e);
        }
      }).catch(() => undefined);
    }, period);
  }
}
