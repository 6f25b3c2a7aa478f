// The session table with its filters and pagination; rows are updated in place.
//
// While the page holds every active session (the join snapshot was complete), filtering and paging the active
// states happen here, on data that events keep current. Views that need the server (terminated or all
// sessions, or a fleet larger than the snapshot) fetch a page from GET /api/sessions when the user asks for
// it; events then patch those rows in place and count new arrivals, which the user can choose to show.
//
// Agent trees: in the page's own view, a session whose parent is in the view is listed under it, shown when the parent
// is expanded (its toggle says how many children the view holds); sessions whose parent is not in the view (roots, or
// children of ended sessions) are the top level. Server pages are listed flat. Every row shows its subtree totals.

import { byTestId, setAttr, setText } from "../dom.js";
import { formatInt } from "../format.js";
import { applyEvent, SubtreeDeltas } from "../../vendor/switchboard-client/live.js";
import { FILTERS, FilterBar, SORTS } from "./filters.js";
import { SessionRows } from "./rows.js";

export const PAGE_SIZE = 25;

export class SessionList {
  #store;
  #api;
  #rows;
  #filters;
  #page = 0;
  #remote = null;
  #onChange;
  /** Sessions whose children are shown. */
  #expanded = new Set();

  constructor(store, api, { onOpen, onChange }) {
    this.#store = store;
    this.#api = api;
    this.#onChange = onChange;
    this.#filters = new FilterBar({
      onChange: () => {
        this.#page = 0;
        this.#remote = null;
        onChange();
      },
    });
    this.#rows = new SessionRows(byTestId("session-rows"), {
      onOpen,
      onLabel: (key, value) => this.#filters.addLabel(key, value),
      onToggle: (id) => {
        if (!this.#expanded.delete(id)) {
          this.#expanded.add(id);
        }

        onChange();
      },
      priority: () => this.#filters.filter.labels.map(([k]) => k),
    });
    byTestId("page-prev").addEventListener("click", () => this.#goTo(this.#page - 1));
    byTestId("page-next").addEventListener("click", () => this.#goTo(this.#page + 1));
    byTestId("new-sessions").addEventListener("click", () => this.#fetchRemote(0, true));
  }

  set selectedId(id) { this.#rows.selectedId = id; }

  /** The fleet's outstanding commands (commands.js), for the "cancel requested" badge. */
  set commands(feed) { this.#rows.commands = feed; }

  /** Shows one state view (the Errors tile). */
  showState(state) {
    this.#filters.showState(state);
  }

  /** Whether this view is served by GET /api/sessions pages rather than the page's own copy. */
  get isRemote() {
    const state = this.#filters.filter.state;
    return state === "terminated" || state === "all" || (this.#store.loaded && !this.#store.complete);
  }

  /** A session shown from a server page (for sessions the store does not hold, e.g. terminated ones). */
  remoteSession(id) {
    return this.#remote?.byId.get(id) ?? null;
  }

  render() {
    if (this.isRemote && (!this.#remote || this.#remote.key !== this.#key())) {
      this.#fetchRemote(0, true);
    }

    const view = this.isRemote ? this.#remoteView() : this.#localView();
    this.#rows.render(view.sessions);
    this.#filters.render(this.#store.summary, this.#localCounts());
    this.#renderPager(view);
    const empty = byTestId("sessions-empty");
    empty.hidden = view.sessions.length > 0 || view.loading;
    setText(empty, this.#filters.describe());
    const fresh = this.isRemote ? this.#remote?.fresh ?? 0 : 0;
    const pill = byTestId("new-sessions");
    pill.hidden = fresh === 0;
    setText(pill, `${fresh} new ${fresh === 1 ? "session" : "sessions"} — show`);
  }

  /** Re-renders the relative times only. */
  tick() {
    this.#rows.tick();
  }

  /** Applies an event to rows fetched from the server (the store already applied it to its own copy). */
  onEvent(envelope) {
    const remote = this.#remote;
    if (!remote || !this.isRemote) {
      return;
    }

    const id = envelope.session_id;
    const shown = remote.byId.get(id);
    remote.deltas.apply(remote.byId, envelope);
    if (shown) {
      const after = applyEvent(shown, envelope);
      if (after) {
        remote.byId.set(id, after);
        remote.deltas.readAt(id, envelope.seq);
      }
    } else if ((envelope.type === "session_created" || envelope.type === "session_terminated")
      && this.#matchesRemote(envelope.data.session) && this.#page === 0) {
      remote.fresh++;
    }
  }

  /** After a fresh snapshot (a rejoin that could not resume), a server page may have missed changes. */
  onSnapshot() {
    if (this.isRemote && this.#remote) {
      this.#fetchRemote(this.#page, false);
    }
  }

  /** Polling fallback: refreshes the server page this view shows, if it shows one. */
  async poll() {
    if (this.isRemote && this.#remote) {
      await this.#fetchRemote(this.#page, false);
    }
  }

  /** Chip counts under a label filter or search, from the sessions the page holds (only when it holds every active one). */
  #localCounts() {
    if (!this.#filters.narrowed || !this.#store.complete) {
      return null;
    }

    const counts = { active: 0 };
    for (const f of FILTERS) {
      if (f.key !== "terminated" && f.key !== "all") {
        counts[f.key] ??= 0;
      }
    }

    for (const s of this.#store.sorted()) {
      if (s.state === "terminated" || !this.#filters.matchesLabelsAndSearch(s)) {
        continue;
      }

      counts.active++;
      counts[s.state] = (counts[s.state] ?? 0) + 1;
    }

    return counts;
  }

  #sort(sessions) {
    const compare = SORTS[this.#filters.filter.sort];
    return compare ? [...sessions].sort(compare) : sessions;
  }

  #localView() {
    const all = this.#nest(this.#sort(this.#store.sorted().filter((s) => this.#filters.matches(s))));
    const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
    this.#page = Math.min(this.#page, pages - 1);
    const start = this.#page * PAGE_SIZE;
    return {
      sessions: all.slice(start, start + PAGE_SIZE),
      start,
      total: all.length,
      hasNext: start + PAGE_SIZE < all.length,
      loading: !this.#store.loaded,
    };
  }

  /** The view's rows as a tree: each session under its parent when the parent is in the view, children in view order. */
  #nest(sessions) {
    const inView = new Set(sessions.map((s) => s.id));
    const children = new Map();
    const top = [];
    for (const s of sessions) {
      if (s.parent_id && inView.has(s.parent_id)) {
        (children.get(s.parent_id) ?? children.set(s.parent_id, []).get(s.parent_id)).push(s);
      } else {
        top.push(s);
      }
    }

    const rows = [];
    const add = (session, depth) => {
      const kids = children.get(session.id) ?? [];
      const expanded = kids.length > 0 && this.#expanded.has(session.id);
      rows.push({ session, depth, children: kids.length, expanded });
      if (expanded) {
        for (const kid of kids) {
          add(kid, depth + 1);
        }
      }
    };
    for (const s of top) {
      add(s, 0);
    }

    return rows;
  }

  #remoteView() {
    const remote = this.#remote;
    return {
      // Server pages come newest first; the search and the sort apply within the page shown.
      sessions: remote ? this.#sort(remote.order.map((id) => remote.byId.get(id)).filter((s) => this.#filters.matchesLabelsAndSearch(s))) : [],
      start: this.#page * PAGE_SIZE,
      total: this.#filters.knownTotal(this.#store.summary),
      hasNext: Boolean(remote?.cursors[this.#page + 1]),
      loading: !remote || remote.loading,
      error: remote?.error,
    };
  }

  /** Server views of active sessions leave out terminated ones; locally they linger for a moment instead. */
  #matchesRemote(session) {
    return this.#filters.matches(session) && !(this.#filters.filter.state === "active" && session.state === "terminated");
  }

  /** What a server page depends on (the search and the sort are applied here, to the page). */
  #key() {
    const { state, labels } = this.#filters.filter;
    return JSON.stringify({ state, labels });
  }

  #query(cursor) {
    const { state, labels } = this.#filters.filter;
    return {
      states: state === "active" || state === "all" ? undefined : [state],
      active: state === "active" ? true : undefined,
      labels,
      limit: PAGE_SIZE,
      cursor,
    };
  }

  /** Fetches page `page` of the server view (a user action, or the polling fallback). */
  async #fetchRemote(page, reset) {
    const key = this.#key();
    if (reset || !this.#remote || this.#remote.key !== key) {
      this.#remote = { key, cursors: [null], order: [], byId: new Map(), deltas: new SubtreeDeltas(), loading: true, fresh: 0, error: null };
      page = 0;
    }

    const remote = this.#remote;
    const request = remote.request = (remote.request ?? 0) + 1;
    const current = () => this.#remote === remote && remote.request === request;
    remote.loading = true;
    this.#page = page;
    this.#onChange();
    try {
      const result = await this.#api.listSessions(this.#query(remote.cursors[page]));
      if (!current()) {
        return; // the user moved on while this was loading
      }

      remote.order = result.sessions.map((s) => s.id);
      remote.byId = new Map(result.sessions.map((s) => [s.id, s]));
      remote.deltas = new SubtreeDeltas();
      for (const s of result.sessions) {
        remote.deltas.readAt(s.id, result.as_of_seq ?? 0);
      }
      remote.cursors[page + 1] = result.next_cursor ?? null;
      remote.error = null;
      if (page === 0) {
        remote.fresh = 0;
      }
    } catch (error) {
      if (current()) {
        remote.error = error.message;
      }
    } finally {
      if (current()) {
        remote.loading = false;
        this.#onChange();
      }
    }
  }

  #goTo(page) {
    if (page < 0) {
      return;
    }

    if (this.isRemote) {
      if (page > this.#page && !this.#remote?.cursors[page]) {
        return;
      }

      this.#fetchRemote(page, false);
      return;
    }

    this.#page = page;
    this.#onChange();
  }

  #renderPager(view) {
    const info = byTestId("page-info");
    const shown = view.sessions.length;
    let text;
    if (view.error) {
      text = `Could not load sessions: ${view.error}`;
    } else if (shown === 0) {
      text = view.loading ? "Loading…" : "No sessions";
    } else {
      const range = `${formatInt(view.start + 1)}–${formatInt(view.start + shown)}`;
      text = view.total === null ? range : `${range} of ${formatInt(view.total)}`;
    }

    setText(info, text);
    setAttr(info, "data-page", this.#page + 1);
    byTestId("page-prev").disabled = this.#page === 0;
    byTestId("page-next").disabled = !view.hasNext;
  }
}
