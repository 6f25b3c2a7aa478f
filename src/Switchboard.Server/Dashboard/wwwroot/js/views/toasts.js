// Toasts with a policy, so a busy fleet cannot bury the page: one toast per kind (critical alerts, errors, terminations,
// creations, in that order; never more than three: a fourth kind closes the lowest one, which comes back merged after its
// rest), each gone after five seconds or by its button. Events of a kind whose toast is up
// merge into it ("12 sessions created"), re-announced at most once a second; once it goes, that kind rests for a while
// and what arrives meanwhile comes back as one merged toast. The header's Mute silences them all (kept per browser).
// Where they sit (never over the events or detail panel) is up to the CSS, told when the events panel is on screen.

import { byTestId, h, setAttr, setText } from "../dom.js";

export const TOAST_MS = 5000;
export const MAX_TOASTS = 3;
/** After a toast of a kind goes, events of that kind are only counted for this long, then shown as one. */
const REST_MS = 5000;
/** A merged toast's text (and so its aria-live announcement) changes at most this often. */
const UPDATE_EVERY_MS = 1000;
const MUTE_ITEM = "switchboard.toasts-muted";

/** Kinds in priority order: the first is shown first. */
const KINDS = {
  alert: { many: (n) => `${n} critical alerts` },
  error: { many: (n) => `${n} sessions in error` },
  terminated: { many: (n) => `${n} sessions terminated` },
  created: { many: (n) => `${n} sessions created` },
};

export class Toasts {
  #root = byTestId("toasts");
  #mute = byTestId("toasts-mute");
  #muted = localStorage.getItem(MUTE_ITEM) === "true";
  /** kind -> the toast on screen: { el, count, latest, lastUpdate, updateTimer, timer } */
  #shown = new Map();
  /** kind -> what arrived while the kind rests: { count, latest, timer } */
  #resting = new Map();

  constructor() {
    this.#mute.addEventListener("click", () => {
      this.#muted = !this.#muted;
      localStorage.setItem(MUTE_ITEM, String(this.#muted));
      this.#renderMute();
      if (this.#muted) {
        for (const kind of [...this.#shown.keys()]) {
          this.#close(kind, false);
        }

        for (const { timer } of this.#resting.values()) {
          clearTimeout(timer);
        }

        this.#resting.clear();
      }
    });
    this.#renderMute();
    // With one column (phones, narrow windows) the events panel scrolls under the toasts' corner: while any of it is on
    // screen the toasts step aside (CSS hides them; they keep their timers), so they never cover it.
    new IntersectionObserver(([entry]) => setAttr(document.body, "data-events-in-view", entry.isIntersecting ? "true" : null))
      .observe(document.querySelector(".events"));
  }

  /** kind: "alert" | "error" | "terminated" | "created"; `title` and `detail` describe this one event. */
  show(kind, title, detail, onOpen) {
    if (this.#muted || !(kind in KINDS)) {
      return;
    }

    const latest = { title, detail, onOpen };
    const shown = this.#shown.get(kind);
    if (shown) {
      shown.count++;
      shown.latest = latest;
      this.#scheduleUpdate(kind, shown);
      return;
    }

    const resting = this.#resting.get(kind);
    if (resting) {
      resting.count++;
      resting.latest = latest;
      return;
    }

    this.#open(kind, 1, latest);
  }

  #open(kind, count, latest) {
    const toast = { count, latest, lastUpdate: performance.now(), updateTimer: null, timer: null };
    toast.el = h("div", { class: `toast toast-${kind}`, dataset: { testid: "toast", kind } },
      h("span", { class: "toast-mark", "aria-hidden": "true" }),
      h("p", { class: "toast-body" }, h("span", { class: "toast-title", dataset: { testid: "toast-title" } }), " ",
        h("span", { class: "toast-detail" })),
      h("button", { type: "button", class: "toast-dismiss", "aria-label": "Dismiss notification", title: "Dismiss",
        dataset: { testid: "toast-dismiss" }, onclick: () => this.#close(kind, true) }, "×"));
    this.#fill(toast);
    toast.timer = setTimeout(() => this.#close(kind, true), TOAST_MS);
    this.#shown.set(kind, toast);
    // Kept in priority order, errors first.
    const after = Object.keys(KINDS).slice(Object.keys(KINDS).indexOf(kind) + 1).map((k) => this.#shown.get(k)?.el).find(Boolean);
    this.#root.insertBefore(toast.el, after ?? null);
    if (this.#shown.size > MAX_TOASTS) {
      this.#close(Object.keys(KINDS).findLast((k) => this.#shown.has(k)), true);
    }
  }

  #fill(toast) {
    const { count, latest } = toast;
    const kind = toast.el.dataset.kind;
    setText(toast.el.querySelector(".toast-title"), count > 1 ? KINDS[kind].many(count) : latest.title);
    const detail = count > 1 ? `latest: ${latest.detail}` : latest.detail;
    // A merge changes the detail's text in place: a link being pressed when the next event arrives keeps its click, and
    // opens the latest session the toast names.
    const holder = toast.el.querySelector(".toast-detail");
    let link = holder.querySelector("button");
    if (latest.onOpen && !link) {
      link = h("button", { type: "button", class: "link", onclick: () => toast.latest.onOpen?.() });
      holder.replaceChildren(link);
    }

    if (latest.onOpen) {
      setText(link, detail);
      setAttr(link, "title", latest.detail);
    } else {
      setText(holder, detail);
    }
    toast.el.dataset.count = String(count);
    toast.lastUpdate = performance.now();
  }

  #scheduleUpdate(kind, toast) {
    if (toast.updateTimer !== null) {
      return;
    }

    const wait = Math.max(0, toast.lastUpdate + UPDATE_EVERY_MS - performance.now());
    toast.updateTimer = setTimeout(() => {
      toast.updateTimer = null;
      if (this.#shown.get(kind) === toast) {
        this.#fill(toast);
      }
    }, wait);
  }

  /** Removes a kind's toast; unless muting, the kind then rests and comes back merged if more arrived. */
  #close(kind, rest) {
    const toast = this.#shown.get(kind);
    if (!toast) {
      return;
    }

    clearTimeout(toast.timer);
    clearTimeout(toast.updateTimer);
    toast.el.remove();
    this.#shown.delete(kind);
    if (!rest) {
      return;
    }

    const resting = { count: 0, latest: null, timer: null };
    resting.timer = setTimeout(() => {
      this.#resting.delete(kind);
      if (resting.count > 0 && !this.#muted) {
        this.#open(kind, resting.count, resting.latest);
      }
    }, REST_MS);
    this.#resting.set(kind, resting);
  }

  #renderMute() {
    this.#mute.setAttribute("aria-pressed", String(this.#muted));
    this.#mute.textContent = this.#muted ? "Unmute" : "Mute";
    this.#mute.title = this.#muted ? "Notifications are muted: show them again" : "Mute notifications";
  }
}
