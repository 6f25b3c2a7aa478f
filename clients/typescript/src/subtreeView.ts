import type {SwitchboardClient} from "./client.js";
import type {SnapshotReset, Subscriber, Subscription} from "./subscriber.js";
import {isSessionEvent, type Session, type SessionEvent} from "./types.js";
import {SubtreeDeltas, applyChanges} from "./live.js";

export {SubtreeDeltas, addDecimal, addTotals} from "./live.js";

export interface SubtreeViewState {
  /** The followed session, or null while it does not exist. */
  readonly root: Session | null;
  /** Every session of the subtree (the root included, ended ones too), by id. */
  readonly byId: ReadonlyMap<string, Session>;
  /** Children by parent id, oldest first. */
  readonly children: ReadonlyMap<string, readonly Session[]>;
  readonly seq: number | null;
  readonly ready: boolean;
}

export interface SubtreeView {
  getState(): SubtreeViewState;
  subscribe(listener: () => void): () => void;
  /** Resolves once the first snapshot, with every page of the subtree, is in. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * The whole subtree of a session (`session:{id}` joined with `subtree: true`), kept current: the snapshot, the rest of
 * the subtree read page by page with `client`, then every descendant's events, with each ancestor's totals kept exact.
 */
export function createSubtreeView(subscriber: Subscriber, id: string, client?: SwitchboardClient): SubtreeView {
  let byId = new Map<string, Session>();
  let deltas = new SubtreeDeltas();
  let seq: number | null = null;
  let state: SubtreeViewState | null = null;
  let generation = 0;
  let closed = false;
  let readyOnce = false;
  const listeners = new Set<() => void>();
  let resolveReady!: () => void;
  const ready = new Promise<void>(r => (resolveReady = r));
  const changed = () => {
    state = null;
    for (const l of [...listeners]) l();
  };
  const put = (s: Session, asOf: number) => {
    const held = byId.get(s.id);
    if (held && held.version > s.version) return;
    byId.set(s.id, s);
    deltas.readAt(s.id, asOf);
  };
  // While the rest of the subtree is read page by page, events wait and are applied once it is in (a page may have
  // been read before an event it does not reflect).
  let held: SessionEvent[] | null = null;
  const apply = (event: SessionEvent) => {
    seq = event.seq;
    if (event.type === "session_created" || event.type === "session_terminated") {
      put(event.data.session, event.seq);
    } else {
      const current = byId.get(event.session_id);
      if (current && event.data.version > current.version) put(applyChanges(current, event), event.seq);
      else if (!current && event.data.session) put(event.data.session, event.seq); // moved into this subtree
    }
    deltas.apply(byId, event);
    changed();
  };
  const done = (gen: number) => {
    if (gen !== generation) return;
    const waiting = held ?? [];
    held = null;
    for (const event of waiting) apply(event);
    readyOnce = true;
    resolveReady();
    changed();
  };

  const subscription: Subscription = subscriber.subscribe(`session:${id}`, {
    onReset(snapshot: SnapshotReset) {
      generation++;
      held = null;
      byId = new Map();
      deltas = new SubtreeDeltas();
      seq = snapshot.seq;
      if (snapshot.session) put(snapshot.session, snapshot.seq);
      for (const s of snapshot.descendants ?? []) put(s, snapshot.seq);
      const more = snapshot.next_cursor;
      const gen = generation;
      if (more && client) {
        held = [];
        void (async () => {
          let cursor: string | null = more;
          while (cursor && !closed && gen === generation) {
            const page = await client.tree(id, {cursor, limit: 1000});
            if (gen !== generation) return;
            for (const s of page.sessions) put(s, page.as_of_seq);
            cursor = page.next_cursor;
            changed();
          }
          done(gen);
        })().catch(e => {
          console.error("switchboard subtree view: could not read the rest of the subtree", e);
          done(gen);
        });
      } else {
        done(gen);
      }
      changed();
    },
    onEvent(event) {
      if (!isSessionEvent(event)) return; // an alert, command or approval event changes no session
      if (held) held.push(event);
      else apply(event);
    },
  }, {subtree: true, limit: 1000});

  return {
    ready,
    getState() {
      if (state === null) {
        const children = new Map<string, Session[]>();
        for (const s of byId.values()) {
          if (s.parent_id && s.id !== id) (children.get(s.parent_id) ?? children.set(s.parent_id, []).get(s.parent_id)!).push(s);
        }
        for (const list of children.values()) list.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
        state = {root: byId.get(id) ?? null, byId: new Map(byId), children, seq, ready: readyOnce};
      }
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      subscription.unsubscribe();
      listeners.clear();
    },
  };
}
