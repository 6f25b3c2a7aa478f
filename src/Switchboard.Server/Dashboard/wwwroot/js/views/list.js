// The session table: state and label filters, pagination, and rows that are updated in place.
//
// While the page holds every active session (the join snapshot was complete), filtering and paging the active
// states happen here, on data that events keep current. Views that need the server — terminated or all
// sessions, or a fleet larger than the snapshot — fetch a page from GET /api/sessions when the user asks for
// it; events then patch those rows in place and count new arrivals, which the user can choose to show.

import { byTestId, h, setAttr, setText } from "../dom.js";
import { formatInt, parseLabelFilter } from "../format.js";
import { applyToSession } from "../store.js";
import { SessionRows } from "./rows.js";

export const PAGE_SIZE = 25;

const FILTERS = [
  { key: "active", label: "Active", count: (s) => s.active_count },
  { key: "working", label: "Processing", count: (s) => s.counts?.working },
  { key: "idle", label: "Idle", count: (s) => s.counts?.idle },
  { key: "paused", label: "Paused", count: (s) => s.counts?.paused },
  { key: "error", label: "Error", count: (s) => s.counts?.error },
  { key: "initializing", label: "Initializing", count: (s) => s.counts?.initializing },
  { key: "terminating", label: "Terminating", count: (s) => s.counts?.terminating },
  { key: "terminated", label: "Terminated", count: (s) => s.counts?.terminated },
  { key: "all", label: "All", count: (s) => s.total_count },
];

export class SessionList {
  #store;
  #api;
  #rows;
  #filter = { state: "active", labels: [] };
  #page = 0;
  #remote = null;
  #chips = new Map();
  #labelTimer = null;
  #onChange;

  constructor(store, api, { onOpen, onChange }) {
    this.#store = store;
    this.#api = api;
    this.#onChange = onChange;
    this.#rows = new SessionRows(byTestId("session-rows"), {
      onOpen,
      onLabel: (key, value) => this.#addLabel(key, value),
    });
    this.#buildChips();
    const input = byTestId("filter-label");
    input.addEventListener("input", () => {
      clearTimeout(this.#labelTimer);
      this.#labelTimer = setTimeout(() => this.#setLabels(input.value), 250);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        clearTimeout(this.#labelTimer);
        this.#setLabels(input.value);
      }
    });
    byTestId("page-prev").addEventListener("click", () => this.#goTo(this.#page - 1));
    byTestId("page-next").addEventListener("click", () => this.#goTo(this.#page + 1));
    byTestId("new-sessions").addEventListener("click", () => this.#fetchRemote(0, true));
  }

  set selectedId(id) { this.#rows.selectedId = id; }

  /** Whether this view is served by GET /api/sessions pages rather than the page's own copy. */
  get isRemote() {
    return this.#filter.state === "terminated" || this.#filter.state === "all" || !this.#store.complete;
  }

  /** A session row is shown somewhere in the current view (for sessions the store does not hold). */
  remoteSession(id) {
    return this.#remote?.byId.get(id) ?? null;
  }

  render() {
    if (this.isRemote && (!this.#remote || this.#remote.key !== this.#key())) {
      this.#fetchRemote(0, true);
    }

    const view = this.isRemote ? this.#remoteView() : this.#localView();
    this.#rows.render(view.sessions);
    this.#renderChips();
    this.#renderPager(view);
    const empty = byTestId("sessions-empty");
    empty.hidden = view.sessions.length > 0 || view.loading;
    setText(empty, this.#emptyText());
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
    if (shown) {
      const after = applyToSession(shown, envelope);
      if (after) {
        remote.byId.set(id, after);
      }
    } else if ((envelope.type === "session_created" || envelope.type === "session_terminated")
      && this.#matches(envelope.data.session) && this.#page === 0) {
      remote.fresh++;
    }
  }

  /** Polling fallback: refreshes the server page this view shows, if it shows one. */
  async poll() {
    if (this.isRemote && this.#remote) {
      await this.#fetchRemote(this.#page, false);
    }
  }

  #localView() {
    const all = this.#store.sorted().filter((s) => this.#matches(s));
    const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
    this.#page = Math.min(this.#page, pages - 1);
    const start = this.#page * PAGE_SIZE;
    return {
      sessions: all.slice(start, start + PAGE_SIZE),
      start,
      total: all.length,
      hasNext: start + PAGE_SIZE < all.length,
      loading: false,
    };
  }

  #remoteView() {
    const remote = this.#remote;
    const sessions = remote ? remote.order.map((id) => remote.byId.get(id)) : [];
    return {
      sessions,
      start: this.#page * PAGE_SIZE,
      total: this.#knownTotal(),
      hasNext: Boolean(remote?.cursors[this.#page + 1]),
      loading: !remote || remote.loading,
      error: remote?.error,
    };
  }

  /** The size of a server-side view, when the summary tells it (state filters without labels). */
  #knownTotal() {
    const summary = this.#store.summary;
    if (!summary || this.#filter.labels.length > 0) {
      return null;
    }

    return FILTERS.find((f) => f.key === this.#filter.state)?.count(summary) ?? null;
  }

  #matches(session) {
    const state = this.#filter.state;
    if (state === "active" && session.state === "terminated" && this.isRemote) {
      return false;
    }

    if (state !== "active" && state !== "all" && session.state !== state) {
      return false;
    }

    return this.#filter.labels.every(([k, v]) => session.labels?.[k] === v);
  }

  #key() {
    return JSON.stringify(this.#filter);
  }

  #query(cursor) {
    const state = this.#filter.state;
    return {
      states: state === "active" || state === "all" ? undefined : [state],
      active: state === "active" ? true : undefined,
      labels: this.#filter.labels,
      limit: PAGE_SIZE,
      cursor,
    };
  }

  /** Fetches page `page` of the server view (a user action, or the polling fallback). */
  async #fetchRemote(page, reset) {
    const key = this.#key();
    if (reset || !this.#remote || this.#remote.key !== key) {
      this.#remote = { key, cursors: [null], order: [], byId: new Map(), loading: true, fresh: 0, error: null };
      page = 0;
    }

    const remote = this.#remote;
    remote.loading = true;
    this.#page = page;
    this.#onChange();
    try {
      const result = await this.#api.listSessions(this.#query(remote.cursors[page]));
      if (this.#remote !== remote || this.#page !== page) {
        return; // the user moved on while this was loading
      }

      remote.order = result.sessions.map((s) => s.id);
      remote.byId = new Map(result.sessions.map((s) => [s.id, s]));
      remote.cursors[page + 1] = result.next_cursor ?? null;
      remote.error = null;
      if (page === 0) {
        remote.fresh = 0;
      }
    } catch (error) {
      remote.error = error.message;
    } finally {
      remote.loading = false;
      this.#onChange();
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

  #setFilter(change) {
    this.#filter = { ...this.#filter, ...change };
    this.#page = 0;
    this.#remote = null;
    this.#onChange();
  }

  #setLabels(text) {
    const input = byTestId("filter-label");
    const { pairs, error } = parseLabelFilter(text);
    setAttr(input, "aria-invalid", error ? "true" : null);
    setText(byTestId("filter-label-error"), error ? `Use key=value, e.g. team=core (${error}).` : "");
    if (error || JSON.stringify(pairs) === JSON.stringify(this.#filter.labels)) {
      return;
    }

    this.#setFilter({ labels: pairs });
  }

  #addLabel(key, value) {
    const input = byTestId("filter-label");
    const pairs = this.#filter.labels.filter(([k]) => k !== key).concat([[key, value]]);
    input.value = pairs.map(([k, v]) => `${k}=${v}`).join(", ");
    this.#setLabels(input.value);
  }

  #buildChips() {
    const container = byTestId("state-filters");
    for (const filter of FILTERS) {
      const count = h("span", { class: "chip-count" });
      const chip = h("button", {
        type: "button",
        class: `filter-chip filter-${filter.key}`,
        dataset: { testid: `filter-state-${filter.key}`, state: filter.key },
        "aria-pressed": String(filter.key === this.#filter.state),
        onclick: () => this.#setFilter({ state: filter.key }),
      }, h("span", { class: "chip-label" }, filter.label), count);
      this.#chips.set(filter.key, { chip, count, filter });
      container.append(chip);
    }
  }

  #renderChips() {
    const summary = this.#store.summary;
    for (const [key, { chip, count, filter }] of this.#chips) {
      setAttr(chip, "aria-pressed", String(key === this.#filter.state));
      setText(count, summary ? formatInt(filter.count(summary) ?? 0) : "");
    }
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
    setAttr(info, "data-total", view.total ?? null);
    setAttr(info, "data-page", this.#page + 1);
    byTestId("page-prev").disabled = this.#page === 0;
    byTestId("page-next").disabled = !view.hasNext;
  }

  #emptyText() {
    const labels = this.#filter.labels.map(([k, v]) => `${k}=${v}`).join(", ");
    const chip = FILTERS.find((f) => f.key === this.#filter.state)?.label.toLowerCase() ?? "";
    if (labels) {
      return `No ${chip} sessions with ${labels}.`;
    }

    return this.#filter.state === "active"
      ? "No active sessions. Create one with POST /api/sessions and it appears here at once."
      : `No ${chip} sessions.`;
  }
}
