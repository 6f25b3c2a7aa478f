// Toasts for created and terminated sessions: color-coded by kind, at most three on screen (the oldest
// gives way), each dismissed after five seconds or by its button. The container is an aria-live region.

import { byTestId, h } from "../dom.js";

export const TOAST_MS = 5000;
export const MAX_TOASTS = 3;

const MUTE_ITEM = "switchboard.toasts-muted";

export class Toasts {
  #root = byTestId("toasts");
  #mute = byTestId("toasts-mute");
  #muted = localStorage.getItem(MUTE_ITEM) === "true";

  constructor() {
    this.#mute.addEventListener("click", () => {
      this.#muted = !this.#muted;
      localStorage.setItem(MUTE_ITEM, String(this.#muted));
      this.#renderMute();
      if (this.#muted) {
        while (this.#root.firstElementChild) {
          this.#remove(this.#root.firstElementChild);
        }
      }
    });
    this.#renderMute();
  }

  /** kind: "created" | "terminated" | "error". Nothing while muted (the header's Mute button; kept per browser). */
  show(kind, title, detail, onOpen) {
    if (this.#muted) {
      return;
    }

    while (this.#root.children.length >= MAX_TOASTS) {
      this.#remove(this.#root.firstElementChild);
    }

    const toast = h("div", { class: `toast toast-${kind}`, dataset: { testid: "toast", kind } },
      h("span", { class: "toast-mark", "aria-hidden": "true" }),
      h("div", { class: "toast-body" },
        h("p", { class: "toast-title" }, title),
        detail ? h("p", { class: "toast-detail" },
          onOpen ? h("button", { type: "button", class: "link", onclick: onOpen }, detail) : detail) : null),
      h("button", { type: "button", class: "toast-dismiss", "aria-label": "Dismiss notification", title: "Dismiss",
        dataset: { testid: "toast-dismiss" }, onclick: () => this.#remove(toast) }, "×"));
    toast.timer = setTimeout(() => this.#remove(toast), TOAST_MS);
    this.#root.append(toast);
  }

  #renderMute() {
    this.#mute.setAttribute("aria-pressed", String(this.#muted));
    this.#mute.textContent = this.#muted ? "Unmute" : "Mute";
    this.#mute.title = this.#muted ? "Notifications are muted: show them again" : "Mute notifications";
  }

  #remove(toast) {
    if (toast) {
      clearTimeout(toast.timer);
      toast.remove();
    }
  }
}
