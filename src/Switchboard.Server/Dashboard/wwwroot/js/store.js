// The page's copy of the fleet: the active sessions (kept current by applying events in place), the latest
// summary, and the log position (seq, epoch) the page has seen, which is where it resumes after a reconnect.
// How an event changes a session, how a child's event changes its ancestors' subtree totals, and where the stream
// resumes are the TypeScript client's (clients/typescript/src/live.ts, served as built from vendor/switchboard-client).

import { applyEvent, ResumeCursor, SubtreeDeltas } from "../vendor/switchboard-client/live.js";

/** How long a terminated session stays visible (dimmed) in the active list before it leaves. */
export const LINGER_MS = 5000;

export class SessionStore {
  /** id → session: every active session (when `complete`), plus recently terminated ones while they linger. */
  sessions = new Map();
  /** Whether `sessions` holds every active session (the join snapshot or poll was not cut off). */
  complete = false;
  /** Whether any snapshot has been loaded yet (until then the list shows it is loading, and pages nothing from the server). */
  loaded = false;
  summary = null;
  /** performance.now() when `summary` arrived, so durations can keep ticking between summaries. */
  summaryAt = 0;

  #rank = new Map();
  #sorted = null;
  #lingering = new Map();
  #listeners = new Set();
  #cursor = new ResumeCursor();
  #deltas = new SubtreeDeltas();

  /** Listens for any change; called with a reason string. */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The join params that resume exactly where the page left off, or ask for a fresh snapshot. */
  joinParams(limit) {
    return this.#cursor.joinParams({ limit });
  }

  /** A join reply: true when it is a snapshot to load (the position moved to it), false when the missed events follow. */
  joined(reply) {
    return this.#cursor.joined(reply);
  }

  /** A fresh snapshot (join reply or poll, read as of `asOf`): replaces the active set. */
  load(sessions, { complete, asOf = 0 }) {
    this.#clearLingering();
    this.sessions = new Map();
    this.#rank = new Map();
    this.#deltas = new SubtreeDeltas();
    sessions.forEach((s, i) => {
      this.#put(s, -i);
      this.#deltas.readAt(s.id, asOf);
    });
    this.complete = complete;
    this.loaded = true;
    this.#sorted = null;
    this.#emit("load");
  }

  setSummary(summary) {
    this.summary = summary;
    this.summaryAt = performance.now();
    this.#emit("summary");
  }

  /**
   * Takes a broadcast envelope's place in the log: false when the page has seen it already (a correct server sends
   * none twice, but a relay may), and then nothing on the page may act on it again.
   */
  accept(envelope) {
    return typeof envelope.seq !== "number" || this.#cursor.accept(envelope);
  }

  /**
   * Applies an accepted broadcast envelope in place. Returns {before, after, isNew, endedNow} for sessions the page
   * tracks, or null when the event changed nothing here.
   */
  apply(envelope) {
    if (envelope.type === "fleet_updated") {
      if (this.summary) {
        this.summary = { ...this.summary, is_paused: envelope.data.is_paused };
        this.#emit("summary");
      }

      return null;
    }

    const id = envelope.session_id;
    const before = this.sessions.get(id) ?? null;
    const after = applyEvent(before, envelope);
    if (after) {
      this.#deltas.readAt(id, envelope.seq);
    }

    // A child's event adds to the subtree totals of the ancestors held here (no event is sent for them).
    if (this.#deltas.apply(this.sessions, envelope) > 0 && !after) {
      this.#emit("event");
    }

    if (!after) {
      return null;
    }

    if (!before) {
      this.#rank.set(id, envelope.seq);
      this.#sorted = null;
    }

    this.sessions.set(id, after);
    const endedNow = after.state === "terminated" && before?.state !== "terminated";
    if (endedNow) {
      this.#linger(id);
    }

    this.#emit("event");
    return { before, after, isNew: !before, endedNow };
  }

  get(id) {
    return this.sessions.get(id) ?? null;
  }

  /** Every known session, newest first (the server's order). */
  sorted() {
    if (!this.#sorted) {
      const created = (id) => this.sessions.get(id).created_at;
      this.#sorted = [...this.sessions.keys()].sort((a, b) => {
        const ca = created(a);
        const cb = created(b);
        return (cb < ca ? -1 : cb > ca ? 1 : 0) || (this.#rank.get(b) ?? 0) - (this.#rank.get(a) ?? 0);
      });
    }

    return this.#sorted.map((id) => this.sessions.get(id));
  }

  #put(session, rank) {
    this.sessions.set(session.id, session);
    this.#rank.set(session.id, rank);
  }

  #linger(id) {
    clearTimeout(this.#lingering.get(id));
    this.#lingering.set(id, setTimeout(() => {
      this.#lingering.delete(id);
      if (this.sessions.get(id)?.state === "terminated") {
        this.sessions.delete(id);
        this.#rank.delete(id);
        this.#sorted = null;
        this.#emit("removed");
      }
    }, LINGER_MS));
  }

  #clearLingering() {
    for (const timer of this.#lingering.values()) {
      clearTimeout(timer);
    }

    this.#lingering.clear();
  }

  #emit(reason) {
    for (const listener of this.#listeners) {
      listener(reason);
    }
  }
}
