// The filter bar: one chip per state view (with live counts from the summary) and a label filter.

import { byTestId, h, setAttr, setText } from "../dom.js";
import { formatInt, parseLabelFilter } from "../format.js";

/** The state views, in chip order; `count` reads the view's size from a summary. */
export const FILTERS = [
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

const LABEL_DEBOUNCE_MS = 250;

export class FilterBar {
  /** {state: a FILTERS key, labels: [key, value][]} */
  filter = { state: "active", labels: [] };

  #onChange;
  #chips = new Map();
  #input = byTestId("filter-label");
  #timer = null;

  constructor({ onChange }) {
    this.#onChange = onChange;
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

  /** Whether the current filter matches a session (used for views the page computes itself). */
  matches(session) {
    const state = this.filter.state;
    if (state !== "active" && state !== "all" && session.state !== state) {
      return false;
    }

    return this.filter.labels.every(([k, v]) => session.labels?.[k] === v);
  }

  /** The size of the current view when the summary can tell (state views without labels), else null. */
  knownTotal(summary) {
    if (!summary || this.filter.labels.length > 0) {
      return null;
    }

    return FILTERS.find((f) => f.key === this.filter.state)?.count(summary) ?? null;
  }

  describe() {
    const labels = this.filter.labels.map(([k, v]) => `${k}=${v}`).join(", ");
    const name = FILTERS.find((f) => f.key === this.filter.state)?.label.toLowerCase() ?? "";
    if (labels) {
      return `No ${name} sessions with ${labels}.`;
    }

    return this.filter.state === "active"
      ? "No active sessions. Create one with POST /api/sessions and it appears here at once."
      : `No ${name} sessions.`;
  }

  render(summary) {
    for (const [key, { chip, count, filter }] of this.#chips) {
      setAttr(chip, "aria-pressed", String(key === this.filter.state));
      setText(count, summary ? formatInt(filter.count(summary) ?? 0) : "");
    }
  }

  #set(change) {
    this.filter = { ...this.filter, ...change };
    this.#onChange();
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
