// The page's copy of the fleet: the active sessions (kept current by applying events in place), the latest
// summary, and the log position (seq, epoch) the page has seen, which is where it resumes after a reconnect.

/** How long a terminated session stays visible (dimmed) in the active list before it leaves. */
export const LINGER_MS = 5000;

/**
 * Applies one session event to a session (or to nothing) and returns the new session, or null when the event
 * is old news for it: versions only go up, so replays after a poll never move a session backwards.
 */
export function applyToSession(session, envelope) {
  const data = envelope.data ?? {};
  switch (envelope.type) {
    case "session_created":
    case "session_terminated":
      if (session && session.version >= data.session.version) return null;
      return data.session;
    case "session_updated":
      if (!session || data.version <= session.version) return null;
      return { ...session, ...data.changes, version: data.version };
    default:
      return null;
  }
}

export class SessionStore {
  /** id → session: every active session (when `complete`), plus recently terminated ones while they linger. */
  sessions = new Map();
  /** Whether `sessions` holds every active session (the join snapshot or poll was not cut off). */
  complete = false;
  summary = null;
  /** performance.now() when `summary` arrived, so durations can keep ticking between summaries. */
  summaryAt = 0;
  lastSeq = null;
  epoch = null;

  #rank = new Map();
  #sorted = null;
  #lingering = new Map();
  #listeners = new Set();
  #replay = null;

  /** Listens for any change; called with a reason string. */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The join params that resume exactly where the page left off, or ask for a fresh snapshot. */
  joinParams(limit) {
    return this.lastSeq === null ? { limit } : { since: this.lastSeq, epoch: this.epoch, limit };
  }

  /** A fresh snapshot (join reply or poll): replaces the active set. `seq` is null for polls. */
  load(sessions, { complete, seq = null, epoch = null }) {
    this.#clearLingering();
    this.sessions = new Map();
    this.#rank = new Map();
    sessions.forEach((s, i) => this.#put(s, -i));
    this.complete = complete;
    if (seq !== null) {
      this.lastSeq = seq;
      this.epoch = epoch;
      this.#replay = null;
    }

    this.#sorted = null;
    this.#emit("load");
  }

  /** A resumed join: `replayed` events at or before `seq` follow; after them the page is at `seq`. */
  resumed(seq, replayed) {
    this.#replay = replayed > 0 ? { seq, left: replayed } : null;
    if (replayed === 0) {
      this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
    }
  }

  setSummary(summary) {
    this.summary = summary;
    this.summaryAt = performance.now();
    this.#emit("summary");
  }

  /**
   * Applies a broadcast envelope in place. Returns {before, after, isNew, endedNow} for sessions the page
   * tracks, or null when the event changed nothing here.
   */
  apply(envelope) {
    this.#advance(envelope);
    if (envelope.type === "fleet_updated") {
      if (this.summary) {
        this.summary = { ...this.summary, is_paused: envelope.data.is_paused };
        this.#emit("summary");
      }

      return null;
    }

    const id = envelope.session_id;
    const before = this.sessions.get(id) ?? null;
    const after = applyToSession(before, envelope);
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

  #advance(envelope) {
    if (typeof envelope.seq !== "number") {
      return;
    }

    if (this.lastSeq === null || envelope.seq > this.lastSeq) {
      this.lastSeq = envelope.seq;
    }

    if (this.#replay && --this.#replay.left <= 0) {
      this.lastSeq = Math.max(this.lastSeq, this.#replay.seq);
      this.#replay = null;
    }
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
