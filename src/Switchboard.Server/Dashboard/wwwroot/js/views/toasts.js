// Toasts for created and terminated sessions: color-coded by kind, at most three on screen (the oldest
// gives way), each dismissed after five seconds or by its button. The container is an aria-live region.

import { byTestId, h } from "../dom.js";

export const TOAST_MS = 5000;
export const MAX_TOASTS = 3;

export class Toasts {
  #root = byTestId("toasts");

  /** kind: "created" | "terminated" | "error" */
  show(kind, title, detail, onOpen) {
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

  #remove(toast) {
    if (toast) {
      clearTimeout(toast.timer);
      toast.remove();
    }
  }
}
