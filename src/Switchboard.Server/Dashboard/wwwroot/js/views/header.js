// The summary tiles and the fleet pause control. Values come only from `summary` events (and the join
// snapshot); the busy duration keeps ticking locally between summaries.

import { byTestId, setAttr, setText } from "../dom.js";
import { formatCompact, formatCost, formatDuration, formatInt } from "../format.js";

export class HeaderView {
  #store;
  #api;
  #busy = false;

  constructor(store, api, { onErrors, onWaiting } = {}) {
    this.#store = store;
    this.#api = api;
    HeaderView.#asButton(byTestId("errors-tile"), onErrors);
    HeaderView.#asButton(byTestId("waiting-tile"), onWaiting);
    byTestId("fleet-toggle").addEventListener("click", () => this.#toggleFleet());
  }

  render() {
    const s = this.#store.summary;
    if (!s) {
      return;
    }

    this.#stat("active", formatInt(s.active_count), `${formatInt(s.total_count)} total`);
    this.#stat("working", formatInt(s.counts?.working ?? 0), s.tasks_running === 1 ? "1 task running" : `${formatInt(s.tasks_running)} tasks running`);
    const waiting = s.counts?.waiting ?? 0;
    this.#stat("waiting", formatInt(waiting), waiting > 0 ? "need you" : "nobody waiting");
    setAttr(byTestId("stat-waiting").closest(".stat"), "data-alert", waiting > 0 ? "true" : null);
    const errors = s.counts?.error ?? 0;
    this.#stat("errors", formatInt(errors), errors > 0 ? "need attention" : "all clear");
    setAttr(byTestId("stat-errors").closest(".stat"), "data-alert", errors > 0 ? "true" : null);
    this.#stat("tokens", formatCompact(s.total_tokens),
      `${formatCompact(s.input_tokens)} in · ${formatCompact(s.output_tokens)} out`, `${formatInt(s.total_tokens)} tokens`);
    this.#stat("cost", formatCost(s.estimated_cost_usd), "estimated");
    this.tick();

    const toggle = byTestId("fleet-toggle");
    const state = byTestId("fleet-state");
    setAttr(state, "data-paused", String(s.is_paused));
    setText(state, s.is_paused ? "Fleet paused" : "Fleet running");
    setText(toggle, s.is_paused ? "Resume fleet" : "Pause fleet");
    setAttr(toggle, "aria-pressed", String(s.is_paused));
    toggle.disabled = this.#busy;
  }

  /** Advances the busy duration by the time since the summary arrived (only while sessions are active). */
  tick() {
    const s = this.#store.summary;
    if (!s) {
      return;
    }

    const elapsed = s.active_count > 0 ? (performance.now() - this.#store.summaryAt) / 1000 : 0;
    const seconds = s.active_count > 0 ? s.duration_seconds + elapsed : 0;
    this.#stat("duration", formatDuration(seconds), s.active_count > 0 ? "busy period" : "idle");
  }

  /** A tile that shows a state view when clicked, or when Enter or Space is pressed on it. */
  static #asButton(tile, action) {
    tile.addEventListener("click", () => action?.());
    tile.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        action?.();
      }
    });
  }

  #stat(name, value, sub, title) {
    const el = byTestId(`stat-${name}`);
    setText(el, value);
    setAttr(el, "title", title ?? null);
    const subEl = el.parentElement.querySelector(".stat-sub");
    if (subEl) {
      setText(subEl, sub);
    }
  }

  async #toggleFleet() {
    const paused = this.#store.summary?.is_paused ?? false;
    const toggle = byTestId("fleet-toggle");
    this.#busy = true;
    toggle.disabled = true;
    try {
      await this.#api.setFleetPaused(!paused);
    } catch (error) {
      toggle.title = `Could not ${paused ? "resume" : "pause"} the fleet: ${error.message}`;
    } finally {
      this.#busy = false;
      toggle.disabled = false;
    }
  }
}
