// The filter bar: one chip per state view (with live counts), a label filter, a search by name or id, and the sort
// order. All of it is kept in the page's URL (?state=&label=&q=&sort=), so a reload or a shared link shows the same view.

import { byTestId, h, setAttr, setText } from "../dom.js";
import { formatInt, parseLabelFilter } from "../format.js";

/** The state views, in chip order; `count` reads the view's size from a summary. */
export const FILTERS = [
  { key: "active", label: "Active", count: (s) => s.active_count },
  { key: "waiting", label: "Waiting", count: (s) => s.counts?.waiting },
  { key: "working", label: "Processing", count: (s) => s.counts?.working },
  { key: "idle", label: "Idle", count: (s) => s.counts?.idle },
  { key: "paused", label: "Paused", count: (s) => s.counts?.paused },
  { key: "error", label: "Error", count: (s) => s.counts?.error },
  { key: "initializing", label: "Initializing", count: (s) => s.counts?.initializing },
  { key: "terminating", label: "Terminating", count: (s) => s.counts?.terminating },
  { key: "terminated", label: "Terminated", count: (s) => s.counts?.terminated },
  { key: "all", label: "All", count: (s) => s.total_count },
];

const LABEL_DEBOUNCE_MS = 250;

/** Sort orders the page applies to the sessions it holds; "" keeps the default (newest first). */
export const SORTS = {
  name: (a, b) => (a.name || a.id).localeCompare(b.name || b.id, undefined, { numeric: true, sensitivity: "base" }),
  state: (a, b) => stateRank(a.state) - stateRank(b.state),
  updated: (a, b) => (b.updated_at < a.updated_at ? -1 : b.updated_at > a.updated_at ? 1 : 0),
  tokens: (a, b) => (b.total_tokens ?? 0) - (a.total_tokens ?? 0),
  cost: (a, b) => (b.cost_usd ?? 0) - (a.cost_usd ?? 0),
  subtree: (a, b) => (b.subtree?.cost_usd ?? 0) - (a.subtree?.cost_usd ?? 0),
};
// Most urgent first; a state this page does not know sorts after these (indexOf -1 is mapped past the end).
const STATE_ORDER = ["error", "waiting", "working", "paused", "idle", "initializing", "terminating", "terminated"];

function stateRank(state) {
  const i = STATE_ORDER.indexOf(state);
  return i < 0 ? STATE_ORDER.length : i;
}

export class FilterBar {
  /** {state: a FILTERS key, labels: [key, value][], search: string, sort: a SORTS key or ""} */
  filter = { state: "active", labels: [], search: "", sort: "" };

  #onChange;
  #chips = new Map();
  #input = byTestId("filter-label");
  #search = byTestId("filter-search");
  #sort = byTestId("sort");
  #timer = null;
  #searchTimer = null;

  constructor({ onChange }) {
    this.#onChange = onChange;
    this.#readUrl();
    const container = byTestId("state-filters");
    for (const filter of FILTERS) {
      const count = h("span", { class: "chip-count" });
      const chip = h("button", {
        type: "button",
        class: "filter-chip",
        dataset: { testid: `filter-state-${filter.key}`, state: filter.key },
        "aria-pressed": String(filter.key === this.filter.state),
        onclick: () => this.#set({ state: filter.key }),
      }, h("span", { class: "chip-label" }, filter.label), count);
      this.#chips.set(filter.key, { chip, count, filter });
      container.append(chip);
    }

    // On a phone the whole bar folds into one control that says what the view is.
    const toggle = byTestId("filters-toggle");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      setAttr(toggle, "aria-expanded", String(open));
      setAttr(toggle.closest(".sessions"), "data-filters-open", String(open));
    });

    this.#search.addEventListener("input", () => {
      clearTimeout(this.#searchTimer);
      this.#searchTimer = setTimeout(() => this.#set({ search: this.#search.value.trim() }), LABEL_DEBOUNCE_MS);
    });
    this.#sort.addEventListener("change", () => this.#set({ sort: this.#sort.value }));
    this.#input.addEventListener("input", () => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#applyLabels(), LABEL_DEBOUNCE_MS);
    });
    this.#input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        clearTimeout(this.#timer);
        this.#applyLabels();
      }
    });
  }

  /** Adds (or replaces) one label in the filter, e.g. from a label chip in the table. */
  addLabel(key, value) {
    const pairs = this.filter.labels.filter(([k]) => k !== key).concat([[key, value]]);
    this.#input.value = pairs.map(([k, v]) => `${k}=${v}`).join(", ");
    this.#applyLabels();
  }

  /** Shows one state view, e.g. from the Errors tile. */
  showState(state) {
    this.#set({ state });
  }

  /** Whether the current filter matches a session (used for views the page computes itself). */
  matches(session) {
    const state = this.filter.state;
    if (state !== "active" && state !== "all" && session.state !== state) {
      return false;
    }

    return this.matchesLabelsAndSearch(session);
  }

  /** The label filter and the search, without the state view. */
  matchesLabelsAndSearch(session) {
    const q = this.filter.search.toLowerCase();
    if (q && !session.id.toLowerCase().includes(q) && !(session.name ?? "").toLowerCase().includes(q)) {
      return false;
    }

    return this.filter.labels.every(([k, v]) => session.labels?.[k] === v);
  }

  /** Whether a label filter or a search narrows the view (then summary counts do not describe it). */
  get narrowed() {
    return this.filter.labels.length > 0 || this.filter.search !== "";
  }

  /** The size of the current view when the summary can tell (state views without labels), else null. */
  knownTotal(summary) {
    if (!summary || this.narrowed) {
      return null;
    }

    return FILTERS.find((f) => f.key === this.filter.state)?.count(summary) ?? null;
  }

  describe() {
    const labels = this.filter.labels.map(([k, v]) => `${k}=${v}`).join(", ");
    const name = FILTERS.find((f) => f.key === this.filter.state)?.label.toLowerCase() ?? "";
    if (labels || this.filter.search) {
      const what = [labels ? `with ${labels}` : "", this.filter.search ? `matching “${this.filter.search}”` : ""].filter(Boolean);
      return `No ${name} sessions ${what.join(" ")}.`;
    }

    return this.filter.state === "active"
      ? "No active sessions. Create one with POST /api/sessions and it appears here at once."
      : `No ${name} sessions.`;
  }

  /**
   * @param summary the fleet's summary (counts for an unfiltered view)
   * @param local counts by chip key computed from the sessions the page holds, when a label filter or search narrows
   *   the view and the page holds every active session; null otherwise. Counts the page cannot know read "–".
   */
  render(summary, local = null) {
    const narrowing = this.filter.labels.length + (this.filter.search ? 1 : 0) + (this.filter.sort ? 1 : 0);
    const state = FILTERS.find((f) => f.key === this.filter.state)?.label ?? "";
    setText(byTestId("filters-toggle-label"), `Filters · ${state}${narrowing ? ` +${narrowing}` : ""}`);
    for (const [key, { chip, count, filter }] of this.#chips) {
      setAttr(chip, "aria-pressed", String(key === this.filter.state));
      let text = "";
      if (this.narrowed) {
        text = local && key in local ? formatInt(local[key]) : "–";
      } else if (summary) {
        text = formatInt(filter.count(summary) ?? 0);
      }

      setText(count, text);
    }
  }

  #set(change) {
    // A search still waiting out its debounce goes along with any other change, so the URL never lags the input.
    clearTimeout(this.#searchTimer);
    this.filter = { ...this.filter, search: this.#search.value.trim(), ...change };
    this.#writeUrl();
    this.#onChange();
  }

  #readUrl() {
    const params = new URLSearchParams(location.search);
    const state = params.get("state");
    const labels = parseLabelFilter(params.getAll("label").join(", "));
    const sort = params.get("sort") ?? "";
    this.filter = {
      state: FILTERS.some((f) => f.key === state) ? state : "active",
      labels: labels.pairs ?? [],
      search: (params.get("q") ?? "").trim(),
      sort: sort in SORTS ? sort : "",
    };
    this.#input.value = this.filter.labels.map(([k, v]) => `${k}=${v}`).join(", ");
    this.#search.value = this.filter.search;
    this.#sort.value = this.filter.sort;
  }

  /** Replaces the URL's view parameters (other parameters, e.g. poll_ms and load_grace_ms, stay). */
  #writeUrl() {
    const url = new URL(location.href);
    for (const name of ["state", "label", "q", "sort"]) {
      url.searchParams.delete(name);
    }

    if (this.filter.state !== "active") url.searchParams.set("state", this.filter.state);
    for (const [k, v] of this.filter.labels) url.searchParams.append("label", `${k}=${v}`);
    if (this.filter.search) url.searchParams.set("q", this.filter.search);
    if (this.filter.sort) url.searchParams.set("sort", this.filter.sort);
    history.replaceState(history.state, "", url);
  }

  #applyLabels() {
    const { pairs, error } = parseLabelFilter(this.#input.value);
    setAttr(this.#input, "aria-invalid", error ? "true" : null);
    setText(byTestId("filter-label-error"), error ? `Use key=value, e.g. team=core (${error}).` : "");
    if (!error && JSON.stringify(pairs) !== JSON.stringify(this.filter.labels)) {
      this.#set({ labels: pairs });
    }
  }
}
