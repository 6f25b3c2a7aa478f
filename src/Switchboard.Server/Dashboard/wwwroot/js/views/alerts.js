// The alert bar: open alerts (severity, rule, subject, since when) from the `alerts` channel, each with an
// Acknowledge form (who and a note), and a toast for each new critical alert. Self-contained: it joins its own
// channel on the shared socket, brings its own stylesheet, and talks to the API with the page's credentials.

import { h, placeItems, setText } from "../dom.js";

const BY_ITEM = "switchboard.ack-by";
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };

export class AlertBar {
  #alerts = new Map();
  #root;
  #list;
  #count;
  #api;
  #auth;
  #toasts;
  #onOpen;
  #seq = 0;

  /**
   * @param {{socket: any, root: URL, auth: any, toasts: any, onOpen?: (id: string) => void}} options
   */
  constructor({ socket, root, auth, toasts, onOpen }) {
    this.#api = root;
    this.#auth = auth;
    this.#toasts = toasts;
    this.#onOpen = onOpen;
    this.#count = h("strong", { class: "alert-count", dataset: { testid: "alert-count" } });
    this.#list = h("ul", { class: "alert-list", dataset: { testid: "alert-list" } });
    this.#root = h("section", { class: "alert-bar", dataset: { testid: "alert-bar" }, "aria-label": "Open alerts", hidden: true },
      h("div", { class: "alert-bar-head" }, h("span", { class: "alert-bar-mark", "aria-hidden": "true" }, "!"), this.#count),
      this.#list);
    document.querySelector("main.layout").before(this.#root);

    const channel = socket.channel("alerts", () => (this.#seq > 0 ? { since: this.#seq, epoch: this.epoch } : {}));
    for (const type of ["alert_raised", "alert_resolved", "alert_acknowledged"]) {
      channel.on(type, (envelope) => this.#apply(envelope));
    }

    // phoenix.js resends this join push on every rejoin, so its "ok" hook runs for each (re)join's reply.
    channel.join().receive("ok", (reply) => {
      this.epoch = reply.epoch;
      if (!reply.resumed) {
        this.#alerts.clear();
        for (const alert of reply.alerts ?? []) {
          this.#alerts.set(alert.id, alert);
        }
      }

      this.#seq = Math.max(this.#seq, reply.seq ?? 0);
      this.render();
    });
    setInterval(() => this.#tickAges(), 15000);
  }

  #apply(envelope) {
    if (envelope.seq <= this.#seq) {
      return; // a replay of what the snapshot already holds
    }

    this.#seq = envelope.seq;
    const alert = envelope.data.alert;
    if (envelope.type === "alert_resolved" || alert.state !== "open") {
      this.#alerts.delete(alert.id);
    } else {
      const isNew = !this.#alerts.has(alert.id);
      this.#alerts.set(alert.id, alert);
      if (isNew && alert.severity === "critical" && envelope.type === "alert_raised") {
        this.#toasts.show("alert", `Critical: ${alert.rule_name}`, alert.message,
          alert.session_id && this.#onOpen ? () => this.#onOpen(alert.session_id) : null);
      }
    }

    this.render();
  }

  render() {
    const alerts = [...this.#alerts.values()].sort((a, b) =>
      (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) || b.raised_seq - a.raised_seq);
    this.#root.hidden = alerts.length === 0;
    this.#root.dataset.severity = alerts[0]?.severity ?? "";
    setText(this.#count, alerts.length === 1 ? "1 open alert" : `${alerts.length} open alerts`);
    // An item is kept until it is acknowledged (here or elsewhere): an open acknowledge form (its focus, what is typed)
    // and a click in progress survive a render.
    placeItems(this.#list, alerts, (alert) => alert.id, (alert) => Boolean(alert.acknowledged_by), (alert) => this.#item(alert));
  }

  #item(alert) {
    const acked = alert.acknowledged_by
      ? h("span", { class: "alert-acked", dataset: { testid: "alert-acked" } }, `Acknowledged by ${alert.acknowledged_by}${alert.note ? ` · ${alert.note}` : ""}`)
      : null;
    const subject = alert.session_id && this.#onOpen
      ? h("button", { type: "button", class: "link", onclick: () => this.#onOpen(alert.session_id) }, alert.subject)
      : alert.subject;
    const item = h("li", { class: `alert-item alert-${alert.severity}`, dataset: { testid: "alert-item", alertId: alert.id, acked: String(Boolean(alert.acknowledged_by)) } },
      h("span", { class: "alert-severity", dataset: { testid: "alert-severity" } }, alert.severity),
      h("span", { class: "alert-rule" }, alert.rule_name),
      h("span", { class: "alert-subject" }, subject),
      h("span", { class: "alert-since", dataset: { testid: "alert-since", raisedAt: alert.raised_at }, title: alert.raised_at }, since(alert.raised_at)),
      h("span", { class: "alert-message" }, alert.message),
      acked ?? h("button", { type: "button", class: "button", "data-write": "", dataset: { testid: "alert-ack" }, onclick: () => this.#openForm(item, alert) }, "Acknowledge"));
    return item;
  }

  #openForm(item, alert) {
    const by = h("input", { type: "text", name: "by", required: true, placeholder: "Your name", value: localStorage.getItem(BY_ITEM) ?? "",
      dataset: { testid: "alert-ack-by" }, "aria-label": "Acknowledged by" });
    const note = h("input", { type: "text", name: "note", placeholder: "Note (optional)", dataset: { testid: "alert-ack-note" }, "aria-label": "Note" });
    const error = h("span", { class: "field-error", dataset: { testid: "alert-ack-error" }, "aria-live": "polite" });
    const form = h("form", { class: "alert-ack-form", dataset: { testid: "alert-ack-form" } }, by, note,
      h("button", { type: "submit", class: "button button-primary", dataset: { testid: "alert-ack-submit" } }, "Acknowledge"),
      h("button", { type: "button", class: "button", onclick: () => { form.remove(); } }, "Cancel"), error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      localStorage.setItem(BY_ITEM, by.value.trim());
      try {
        const updated = await this.#acknowledge(alert.id, by.value.trim(), note.value.trim() || null);
        form.remove();
        if (this.#alerts.has(updated.id)) {
          this.#alerts.set(updated.id, updated);
        }

        this.render();
      } catch (e) {
        setText(error, e.message);
      }
    });
    item.querySelector("[data-testid=alert-ack]")?.replaceWith(form);
    (by.value ? note : by).focus();
  }

  async #acknowledge(id, by, note) {
    await this.#auth?.ready;
    const response = await fetch(new URL(`api/alerts/${encodeURIComponent(id)}/ack`, this.#api), {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json", ...this.#auth?.headers() },
      body: JSON.stringify(note ? { by, note } : { by }),
      cache: "no-store",
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(body?.detail ?? `HTTP ${response.status}`);
    }

    return body;
  }

  #tickAges() {
    for (const el of this.#list.querySelectorAll("[data-testid=alert-since]")) {
      setText(el, since(el.dataset.raisedAt));
    }
  }
}

function since(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const ago = seconds < 60 ? "just now" : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : `${Math.floor(seconds / 3600)} h ago`;
  return `since ${new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })} (${ago})`;
}

