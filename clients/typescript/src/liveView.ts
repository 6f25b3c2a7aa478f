import type {SwitchboardClient} from "./client.js";
import type {SnapshotReset, Subscriber, Subscription} from "./subscriber.js";
import {isSessionEvent, type FleetUpdatedEvent, type Labels, type Session, type SessionEvent, type Summary} from "./types.js";
import {SubtreeDeltas, applyChanges, labelsMatch, newestFirst} from "./live.js";

export {applyChanges, labelsMatch, newestFirst};

/** An immutable picture of a live view; a new object after every change (for `useSyncExternalStore`). */
export interface LiveViewState {
  /** Active sessions, newest first. */
  readonly sessions: readonly Session[];
  readonly byId: ReadonlyMap<string, Session>;
  readonly summary: Summary | null;
  /** The log position the view reflects, and its epoch. */
  readonly seq: number | null;
  readonly epoch: string | null;
  /** True once the first snapshot is in. */
  readonly ready: boolean;
  /** How many times the view was replaced by a snapshot (1 after the first join). */
  readonly resets: number;
}

export interface LiveViewOptions {
  subscriber: Subscriber;
  /**
   * Used to fetch what a snapshot leaves out (more active sessions than `limit`) and a session that enters a
   * label filter through an update (the event carries only the changed fields). Without it those are skipped.
   */
  client?: SwitchboardClient;
  /** Only sessions carrying all these labels. */
  labels?: Labels;
  /** Snapshot size (default 1000). */
  limit?: number;
}

/** After an event was applied: the event and the session as the view now has it (undefined once it left). */
export type LiveViewEventListener = (event: SessionEvent | FleetUpdatedEvent, session: Session | undefined) => void;

export interface LiveView {
  getState(): LiveViewState;
  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** Calls `listener` after each event is applied. */
  onEvent(listener: LiveViewEventListener): () => void;
  /** Calls `listener` after each snapshot reset is applied. */
  onReset(listener: (snapshot: SnapshotReset) => void): () => void;
  /** Resolves once the first snapshot (with every page) is in. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * A local copy of the active sessions (optionally those with some labels) and the fleet summary, kept current by
 * applying the `sessions` topic's events. A resume that cannot be replayed replaces the copy with the snapshot.
 */
export function createLiveView(options: LiveViewOptions): LiveView {
  const {subscriber, client, labels} = options;
  let byId = new Map<string, Session>();
  // Creation order, as the server lists sessions (created_at alone ties within one batch): the session_created
  // event's seq, or for snapshot and page entries a rank just below the snapshot's seq, in the order listed.
  let rank = new Map<string, number>();
  let nextOlder = 0;
  // Each held session's subtree is as of a log position; a child's event adds its delta to the ancestors held here.
  let deltas = new SubtreeDeltas();
  let summary: Summary | null = null;
  let position: {seq: number; epoch: string} | null = null;
  let resets = 0;
  let state: LiveViewState | null = null;
  let closed = false;
  let generation = 0;
  const listeners = new Set<() => void>();
  const eventListeners = new Set<LiveViewEventListener>();
  const resetListeners = new Set<(s: SnapshotReset) => void>();
  let resolveReady!: () => void;
  const ready = new Promise<void>(r => (resolveReady = r));

  const changed = () => {
    state = null;
    for (const l of [...listeners]) l();
  };

  const upsert = (session: Session, asOf: number, order?: number) => {
    const current = byId.get(session.id);
    if (current && current.version >= session.version) return;
    if (session.state === "terminated" || !labelsMatch(session, labels)) return;
    byId.set(session.id, session);
    deltas.readAt(session.id, asOf);
    if (!rank.has(session.id)) rank.set(session.id, order ?? (nextOlder -= 1e-6));
  };

  // While the rest of a snapshot is read page by page, events wait here and are applied once it is in: a page may
  // have been read before an event it does not reflect, so an event applied ahead of its page would be lost.
  let held: Array<SessionEvent | FleetUpdatedEvent> | null = null;
  const pagesDone = (gen: number) => {
    if (gen !== generation) return;
    const waiting = held ?? [];
    held = null;
    for (const event of waiting) apply(event);
    resolveReady();
    changed();
  };

  const apply = (event: SessionEvent | FleetUpdatedEvent) => {
    position = {seq: event.seq, epoch: event.epoch};
    let after: Session | undefined;
    switch (event.type) {
      case "session_created":
        upsert(event.data.session, event.seq, event.seq);
        after = byId.get(event.session_id);
        break;
      case "session_updated": {
        const current = byId.get(event.session_id);
        if (current) {
          if (event.data.version > current.version) {
            const next = applyChanges(current, event);
            deltas.readAt(next.id, event.seq);
            if (labelsMatch(next, labels) && next.state !== "terminated") byId.set(next.id, next);
            else {
              byId.delete(next.id);
              rank.delete(next.id);
            }
          }
        } else if (event.data.session) {
          upsert(event.data.session, event.seq); // moved under a parent agent: the event holds the whole session
        } else if (client && labels && event.data.changes.labels && labelsMatch({labels: event.data.changes.labels}, labels)) {
          // The session entered the filter: the event has only the changes, so fetch the whole session (as the first
          // node of its subtree page, which says the log position it reflects).
          const gen = generation;
          client.tree(event.session_id, {limit: 1}).then(page => {
            if (gen === generation && !closed && page.sessions[0]) {
              upsert(page.sessions[0], Math.max(page.as_of_seq, event.seq));
              changed();
            }
          }, () => undefined);
        }
        after = byId.get(event.session_id);
        break;
      }
      case "session_terminated":
        byId.delete(event.session_id);
        rank.delete(event.session_id);
        after = event.data.session;
        break;
      case "fleet_updated":
        if (summary) summary = {...summary, is_paused: event.data.is_paused};
        break;
    }
    if (event.type !== "fleet_updated") deltas.apply(byId, event);
    if (summary && "active_count" in event.data && typeof event.data.active_count === "number") {
      summary = {...summary, active_count: event.data.active_count};
    }
    changed();
    for (const l of [...eventListeners]) l(event, after);
  };

  const subscription: Subscription = subscriber.subscribe("sessions", {
    onReset(snapshot) {
      generation++;
      held = null;
      byId = new Map();
      rank = new Map();
      deltas = new SubtreeDeltas();
      nextOlder = snapshot.seq;
      for (const s of snapshot.sessions ?? []) upsert(s, snapshot.seq);
      if (snapshot.summary !== undefined) summary = snapshot.summary;
      position = {seq: snapshot.seq, epoch: snapshot.epoch};
      resets++;
      const more = snapshot.next_cursor;
      if (more && client) {
        const gen = generation;
        held = [];
        void (async () => {
          let cursor: string | null = more;
          while (cursor && !closed && gen === generation) {
            const page = await client.listSessions({active: true, labels, cursor});
            if (gen !== generation) return;
            for (const s of page.sessions) upsert(s, page.as_of_seq);
            cursor = page.next_cursor;
            changed();
          }
          pagesDone(gen);
        })().catch(e => {
          console.error("switchboard live view: could not fetch the rest of the snapshot", e);
          pagesDone(gen);
        });
      } else {
        resolveReady();
      }
      changed();
      for (const l of [...resetListeners]) l(snapshot);
    },
    onEvent(event) {
      // `sessions` carries nothing else; an alert, command or approval event changes no session.
      if (!isSessionEvent(event) && event.type !== "fleet_updated") return;
      if (held) held.push(event);
      else apply(event);
    },
    onSummary(next) {
      if (summary && next.as_of_seq < summary.as_of_seq) return;
      summary = next;
      changed();
    },
  }, {labels, limit: options.limit ?? 1000});

  return {
    ready,
    getState() {
      if (state === null) {
        const sessions = [...byId.values()].sort(
          (a, b) => newestFirst(a, b) || (rank.get(b.id) ?? 0) - (rank.get(a.id) ?? 0));
        state = {
          sessions, byId: new Map(byId), summary, seq: position?.seq ?? null, epoch: position?.epoch ?? null,
          ready: resets > 0, resets,
        };
      }
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onReset(listener) {
      resetListeners.add(listener);
      return () => resetListeners.delete(listener);
    },
    close() {
      closed = true;
      subscription.unsubscribe();
      listeners.clear();
      eventListeners.clear();
      resetListeners.clear();
    },
  };
}

/** A store holding one value, kept current by a subscription (one session, the summary, the webhook endpoints). */
export interface ValueView<T> {
  getState(): T;
  subscribe(listener: () => void): () => void;
  close(): void;
}

/**
 * A {@link ValueView} holding `initial` until `follow` sets another value. `follow` subscribes (it gets the setter and
 * the current value) and returns the subscription that `close()` leaves.
 */
export function createValueView<T>(initial: T, follow: (set: (value: T) => void, get: () => T) => Subscription): ValueView<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  const set = (v: T) => {
    value = v;
    for (const l of [...listeners]) l();
  };
  const subscription = follow(set, () => value);
  return {
    getState: () => value,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      subscription.unsubscribe();
      listeners.clear();
    },
  };
}

/** One session (`session:{id}`), terminated ones included: undefined until joined, null while it does not exist. */
export function createSessionView(subscriber: Subscriber, id: string): ValueView<Session | null | undefined> {
  return createValueView<Session | null | undefined>(undefined, (set, get) => subscriber.subscribe(`session:${id}`, {
    onReset: s => set(s.session ?? null),
    onEvent(event) {
      const value = get();
      if (event.type === "session_created" || event.type === "session_terminated") set(event.data.session);
      else if (event.type === "session_updated" && value && event.data.version > value.version) set(applyChanges(value, event));
    },
  }));
}

/** The fleet summary (`summary` topic): null until the first join. */
export function createSummaryView(subscriber: Subscriber): ValueView<Summary | null> {
  return createValueView<Summary | null>(null, (set, get) => subscriber.subscribe("summary", {
    onReset: s => {
      if (s.summary !== undefined) set(s.summary);
    },
    onSummary: s => {
      const value = get();
      if (!value || s.as_of_seq >= value.as_of_seq) set(s);
    },
  }));
}
