// The live stream's logic that needs no socket: how an event changes a session, how a child's event changes its
// ancestors' subtree totals, and where a stream resumes after a reconnect. Its compiled module has no imports, so the server's dashboard serves it as it is built
// (`npm run build:dashboard` copies dist/live.js to src/Switchboard.Server/Dashboard/wwwroot/vendor/switchboard-client/)
// and imports it instead of keeping its own copy.

import type {Labels, Session, SessionEvent, SubtreeTotals} from "./types.js";

/** A position in the log: the `seq` of the last event seen, and the log's epoch. */
export interface StreamPosition {
  seq: number;
  epoch: string;
}

/** Applies a `session_updated` event's changes to a session (the result equals what the HTTP API returns). */
export function applyChanges(session: Session, event: Extract<SessionEvent, {type: "session_updated"}>): Session {
  return {...session, ...event.data.changes, version: event.data.version} as Session;
}

/**
 * Applies one session event to a session (or to nothing) and returns the new session, or null when the event is old
 * news for it: versions only go up, so a replay after a poll never moves a session backwards. Other events give null.
 */
export function applyEvent(session: Session | null | undefined, event: SessionEvent | {readonly type: string}): Session | null {
  const e = event as SessionEvent;
  switch (e.type) {
    case "session_created":
    case "session_terminated":
      if (session && session.version >= e.data.session.version) return null;
      return e.data.session;
    case "session_updated":
      // A session moved under a parent agent carries itself whole: it enters subtrees whose views never held it.
      if (!session) return e.data.session ?? null;
      if (e.data.version <= session.version) return null;
      return applyChanges(session, e);
    default:
      return null;
  }
}

export function labelsMatch(session: Pick<Session, "labels">, labels: Labels | undefined): boolean {
  if (!labels) return true;
  for (const [k, v] of Object.entries(labels)) if (session.labels[k] !== v) return false;
  return true;
}

/** Orders by `created_at`, newest first (sessions created in one batch tie). */
export function newestFirst(a: Pick<Session, "created_at">, b: Pick<Session, "created_at">): number {
  return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0;
}

/**
 * Where one topic's stream resumes. A join without a position asks for a snapshot; a join with one asks the server to
 * replay what came after it (`since`, `epoch`). A snapshot moves the position to the snapshot's; each event moves it to
 * that event, and one at or below it (a duplicate; a correct server sends none) is dropped.
 */
export class ResumeCursor {
  /** The position after the last event delivered (or the last snapshot): what the next join resumes from. */
  position: StreamPosition | null;
  /** Events at or below the position that arrived again and were dropped. */
  duplicatesDropped = 0;

  constructor(since: StreamPosition | null = null) {
    this.position = since;
  }

  /** The join params: `base`, plus `since` and `epoch` once there is a position. */
  joinParams<T extends object>(base: T): T | (T & {since: number; epoch: string}) {
    return this.position === null ? {...base} : {...base, since: this.position.seq, epoch: this.position.epoch};
  }

  /**
   * A join reply. True when it is a snapshot (the server could not or was not asked to resume): the position moves to
   * the snapshot's and local state must be replaced by it. False when the missed events follow.
   */
  joined(reply: {seq: number; epoch: string; resumed?: boolean}): boolean {
    if (reply.resumed === true) return false;
    this.position = {seq: reply.seq, epoch: reply.epoch};
    return true;
  }

  /** A logged event: false when it is at or below the position (dropped); otherwise the position moves to it. */
  accept(event: {seq: number; epoch: string}): boolean {
    const p = this.position;
    if (p !== null && p.epoch === event.epoch && event.seq <= p.seq) {
      this.duplicatesDropped++;
      return false;
    }
    this.position = {seq: event.seq, epoch: event.epoch};
    return true;
  }
}

/**
 * Keeps the `subtree` totals of held sessions exact. No event is sent for an ancestor whose totals changed: a child's
 * event names its `ancestors` and carries `subtree_delta`, which is added to each ancestor held. Each session's totals
 * are as of a log position (the snapshot's `seq`, a page's `as_of_seq`, its own last event), and a delta is added only
 * when its event is later, so a session read from a page after the event is never counted twice.
 */
export class SubtreeDeltas {
  private readonly asOf = new Map<string, number>();

  /** `id`'s totals (as now held) reflect the log up to `seq`. */
  readAt(id: string, seq: number): void {
    this.asOf.set(id, seq);
  }

  /**
   * Adds the event's delta to the ancestors held in `sessions` (replaced in place with updated copies); returns how many
   * it changed.
   */
  apply(sessions: Map<string, Session>, event: SessionEvent): number {
    const {ancestors, subtree_delta: delta} = event.data;
    if (!ancestors || !delta) return 0;
    let changed = 0;
    for (const id of ancestors) {
      const held = sessions.get(id);
      if (held && event.seq > (this.asOf.get(id) ?? -1)) {
        sessions.set(id, {...held, subtree: addTotals(held.subtree, delta)});
        this.asOf.set(id, event.seq);
        changed++;
      }
    }
    return changed;
  }
}

/** `totals` plus `delta`; `total_tokens` stays input plus output, and costs add without binary drift (see {@link addDecimal}). */
export function addTotals(totals: SubtreeTotals, delta: SubtreeTotals): SubtreeTotals {
  const input = totals.input_tokens + delta.input_tokens;
  const output = totals.output_tokens + delta.output_tokens;
  return {
    sessions: totals.sessions + delta.sessions,
    active: totals.active + delta.active,
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cost_usd: addDecimal(totals.cost_usd, delta.cost_usd),
  };
}

/** Adds two decimal amounts without binary drift, to as many places as either has (JSON numbers of up to 15 digits). */
export function addDecimal(a: number, b: number): number {
  const places = Math.max(decimals(a), decimals(b));
  const scale = 10 ** Math.min(places, 12);
  return Math.round(a * scale + b * scale) / scale;
}

function decimals(n: number): number {
  const text = String(n);
  const e = text.indexOf("e-");
  if (e >= 0) return Number(text.slice(e + 2)) + (text.split(".")[1]?.split("e")[0].length ?? 0);
  return text.split(".")[1]?.length ?? 0;
}
