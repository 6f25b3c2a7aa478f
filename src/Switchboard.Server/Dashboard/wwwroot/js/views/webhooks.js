// The webhooks strip: each endpoint's state and delivery lag, from GET /api/webhooks every few seconds. Hidden when
// there are none. Self-contained, like the alert bar: its own element, polling and credentials.

import { h } from "../dom.js";

const REFRESH_MS = 5000;

export class WebhookList {
  #root;
  #rows;
  #url;
  #auth;

  constructor({ root, auth }) {
    this.#url = new URL("api/webhooks", root);
    this.#auth = auth;
    this.#rows = h("tbody", { dataset: { testid: "webhook-rows" } });
    this.#root = h("section", { class: "webhooks", dataset: { testid: "webhooks" }, "aria-label": "Webhooks", hidden: true },
      h("table", { class: "webhook-table" },
        h("caption", {}, "Webhooks"),
        h("thead", {}, h("tr", {}, ["Endpoint", "URL", "State", "Lag", "Attempts", "Failures", "Last error"].map((t) => h("th", { scope: "col" }, t)))),
        this.#rows));
    document.querySelector("main.layout").before(this.#root);
    this.refresh();
    setInterval(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    try {
      await this.#auth?.ready;
      const response = await fetch(this.#url, { headers: { accept: "application/json", ...this.#auth?.headers() }, cache: "no-store" });
      if (!response.ok) {
        return; // a read error leaves the last view; the connection indicator speaks for the page
      }

      this.render((await response.json()).webhooks ?? []);
    } catch {
      // offline: keep the last view
    }
  }

  render(webhooks) {
    this.#root.hidden = webhooks.length === 0;
    this.#rows.replaceChildren(...webhooks.map((w) => {
      const state = w.enabled ? w.state : "disabled";
      return h("tr", { dataset: { testid: "webhook-row", webhookId: w.id, state } },
        h("td", {}, h("code", {}, w.id)),
        h("td", { class: "webhook-url" }, w.url),
        h("td", {}, h("span", { class: `webhook-state webhook-${state}`, dataset: { testid: "webhook-state" } }, state)),
        h("td", { class: "num", dataset: { testid: "webhook-lag" } }, String(w.lag)),
        h("td", { class: "num" }, String(w.attempts)),
        h("td", { class: "num" }, String(w.failures)),
        h("td", { class: "webhook-error" }, w.last_error ?? ""));
    }));
  }
}

