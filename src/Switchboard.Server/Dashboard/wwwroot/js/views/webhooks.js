// The webhooks strip: each endpoint's state and delivery lag. The `webhooks` channel pushes the whole list whenever it
// changes (the server reads it about once a second while someone follows it), so a connected page never asks; while
// the socket is down, the page's polling fallback refreshes it from GET /api/webhooks with the session list. Hidden
// when there are none. Self-contained, like the alert bar: its own element, channel and credentials.

import { h, placeItems } from "../dom.js";

export class WebhookList {
  #root;
  #rows;
  #url;
  #auth;
  #joined = false;

  constructor({ socket, root, auth }) {
    this.#url = new URL("api/webhooks", root);
    this.#auth = auth;
    this.#rows = h("tbody", { dataset: { testid: "webhook-rows" } });
    this.#root = h("section", { class: "webhooks", dataset: { testid: "webhooks" }, "aria-label": "Webhooks", hidden: true },
      h("table", { class: "webhook-table" },
        h("caption", {}, "Webhooks"),
        h("thead", {}, h("tr", {}, ["Endpoint", "URL", "State", "Lag", "Attempts", "Failures", "Last error"].map((t) => h("th", { scope: "col" }, t)))),
        this.#rows));
    document.querySelector("main.layout").before(this.#root);

    const channel = socket.channel("webhooks", {});
    channel.on("webhooks", (envelope) => this.render(envelope.data.webhooks ?? []));
    channel.onError(() => { this.#joined = false; });
    channel.onClose(() => { this.#joined = false; });
    // phoenix.js resends this join push on every rejoin; the state itself follows the join as a push.
    channel.join().receive("ok", () => { this.#joined = true; });
  }

  /** The polling fallback's read, while the socket is down. A result that lands after the channel is back is dropped. */
  async poll() {
    try {
      await this.#auth?.ready;
      const response = await fetch(this.#url, { headers: { accept: "application/json", ...this.#auth?.headers() }, cache: "no-store" });
      if (!response.ok || this.#joined) {
        return; // a read error leaves the last view; the connection indicator speaks for the page
      }

      const webhooks = (await response.json()).webhooks ?? [];
      if (!this.#joined) {
        this.render(webhooks);
      }
    } catch {
      // offline: keep the last view
    }
  }

  render(webhooks) {
    this.#root.hidden = webhooks.length === 0;
    // Every push carries every endpoint; a row is drawn again only when what it shows changed, so a selection in
    // another (an endpoint's URL or error being copied) survives a delivery.
    const stateOf = (w) => (w.enabled ? w.state : "disabled");
    placeItems(this.#rows, webhooks, (w) => w.id, (w) => [w.url, stateOf(w), w.lag, w.attempts, w.failures, w.last_error], (w) => {
      const state = stateOf(w);
      return h("tr", { dataset: { testid: "webhook-row", webhookId: w.id, state } },
        h("td", {}, h("code", {}, w.id)),
        h("td", { class: "webhook-url" }, w.url),
        h("td", {}, h("span", { class: `webhook-state webhook-${state}`, dataset: { testid: "webhook-state" } }, state)),
        h("td", { class: "num", dataset: { testid: "webhook-lag" } }, String(w.lag)),
        h("td", { class: "num" }, String(w.attempts)),
        h("td", { class: "num" }, String(w.failures)),
        h("td", { class: "webhook-error" }, w.last_error ?? ""));
    });
  }
}
