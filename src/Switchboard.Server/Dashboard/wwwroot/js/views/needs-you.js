// "Needs you": every session waiting on a person (or with a pending approval, whatever its state), above the list, with
// what it waits for (each pending approval as its card, approval-card.js, else its activity line), how long it has
// waited, and the card's answers (not offered to a read-only key). The waiting sessions are the page's store's; their
// pending approvals come from the `approvals` channel: its join reply holds every pending one, its events keep them
// current. Without it (a key or token that may not join it, or no socket: the page polls) they are read per waiting
// session, GET …/approvals?state=pending.
// The tab title counts them, and a browser notification says when one starts waiting, once the person asked for that.

import { frameScheduler, h, placeItems, setText } from "../dom.js";
import { approvalCard } from "./approval-card.js";

const NOTIFY_ITEM = "switchboard.notify-waiting";

export class NeedsYou {
  /** session id → Map(approval id → approval): pending approvals only. */
  #approvals = new Map();
  /**
   * The `approvals` channel: "ok" once joined (its snapshot and events are all there is to know), "partial" when its
   * snapshot was cut at the server's byte bound, "error" if refused.
   */
  #channel = "joining";
  #socket;
  /** Without the channel: waiting sessions whose pending approvals were read (or are being read) since they began waiting. */
  #read = new Set();
  /**
   * approval id → what was chosen and typed into its card and not sent: a card built again (its session left the page's store, as
   * after a reconnect whose snapshot was cut, and came back) gets it back. Dropped once the approval is no longer pending.
   */
  #drafts = new Map();
  /** Waiting sessions already announced, so each is notified once per wait. */
  #announced = new Set();
  #store;
  #root;
  #auth;
  #onOpen;
  #strip;
  #list;
  #count;
  #notify;
  #title = document.title;
  /** Whether the sessions waiting when the page loaded were taken as seen (they are not announced). */
  #primed = false;

  /**
   * @param {{socket: any, store: any, root: URL, auth: any, onOpen?: (id: string) => void}} options
   */
  constructor({ socket, store, root, auth, onOpen }) {
    this.#store = store;
    this.#socket = socket;
    this.#root = root;
    this.#auth = auth;
    this.#onOpen = onOpen;
    this.#count = h("strong", { class: "needs-you-count", dataset: { testid: "needs-you-count" } });
    this.#notify = h("button", { type: "button", class: "button needs-you-notify", dataset: { testid: "needs-you-notify" }, hidden: true,
      onclick: () => this.#askToNotify() }, "Notify me");
    this.#list = h("ul", { class: "needs-you-list", dataset: { testid: "needs-you-list" } });
    this.#strip = h("section", { class: "needs-you", dataset: { testid: "needs-you" }, "aria-label": "Sessions waiting for you", hidden: true },
      h("div", { class: "needs-you-head" }, h("span", { class: "needs-you-mark", "aria-hidden": "true" }, "?"), this.#count, this.#notify),
      this.#list);
    document.querySelector("main.layout").before(this.#strip);

    const channel = socket.channel("approvals");
    for (const type of ["approval_requested", "approval_answered", "approval_expired", "approval_withdrawn"]) {
      channel.on(type, (envelope) => this.#apply(envelope.data.approval));
    }

    // Each (re)join answers with what is pending then; refused, the strip reads each waiting session's instead.
    channel.onError(() => {
      this.#channel = "joining"; // the socket dropped: until the rejoin answers, read what a session waiting meanwhile asks
      this.render();
    });
    channel.join()
      .receive("ok", (reply) => {
        this.#channel = reply.approvals_complete === false ? "partial" : "ok";
        this.#read.clear();
        this.#approvals.clear();
        (reply.approvals ?? []).forEach((a) => this.#apply(a, false));
        if (this.#channel === "ok") {
          const pending = new Set((reply.approvals ?? []).map((a) => a.id));
          [...this.#drafts.keys()].filter((id) => !pending.has(id)).forEach((id) => this.#drafts.delete(id)); // ended meanwhile
        }
        this.render();
      })
      .receive("error", () => {
        this.#channel = "error";
        this.render();
      });
    store.subscribe(frameScheduler(() => this.render())); // at most once a frame, however many events arrive
    setInterval(() => this.#tickAges(), 1000);
  }

  /**
   * Sessions in `waiting`, and any with a pending approval whatever its state (a hook may have moved it on, or it is
   * paused): an approval is answerable until it ends. The longest waiting first.
   */
  get waiting() {
    return [...this.#store.sessions.values()].filter((s) => s.state === "waiting" || (this.#approvals.get(s.id)?.size ?? 0) > 0)
      .sort((a, b) => Date.parse(this.#since(a)) - Date.parse(this.#since(b)));
  }

  render() {
    const waiting = this.waiting;
    const ids = new Set(waiting.map((s) => s.id));
    for (const id of [...this.#announced]) {
      if (!ids.has(id)) {
        this.#announced.delete(id); // a session that waits again is announced again
      }
    }

    for (const id of [...this.#read]) {
      if (!ids.has(id)) {
        this.#read.delete(id);
        this.#approvals.delete(id);
      }
    }

    const reading = this.#channel === "error" || this.#channel === "partial" || (this.#channel === "joining" && !this.#socket.isConnected());
    for (const session of waiting) {
      if (reading && !this.#read.has(session.id)) {
        this.#read.add(session.id);
        this.#readPending(session.id);
      }
    }

    document.title = waiting.length > 0 ? `(${waiting.length}) ${this.#title}` : this.#title;
    this.#strip.hidden = waiting.length === 0;
    setText(this.#count, waiting.length === 1 ? "1 session needs you" : `${waiting.length} sessions need you`);
    this.#notify.hidden = !("Notification" in window) || Notification.permission === "denied" || localStorage.getItem(NOTIFY_ITEM) === "on";
    // A session keeps its item while it waits, and the item keeps each part (the name, each approval's card, the
    // activity) while it reads the same, so a click, a selection, the focus or what a person typed in a card survives
    // other events; the time it has waited changes in place.
    const items = placeItems(this.#list, waiting, (s) => s.id, () => "", (s) => h("li", { class: "needs-you-item",
      dataset: { testid: "needs-you-item", sessionId: s.id } }));
    items.forEach((item, i) => this.#fill(item, waiting[i]));
    this.#announce(waiting);
  }

  #fill(item, session) {
    const approvals = [...(this.#approvals.get(session.id)?.values() ?? [])];
    const parts = [["who", session.name || session.id],
      ...(approvals.length > 0 ? approvals.map((a) => [`approval ${a.id}`, "", a]) : [["activity", session.activity || "Waiting for input"]])];
    placeItems(item, parts, ([part]) => part, ([, shown]) => shown, ([part, shown, approval]) =>
      part === "who" ? this.#who(session, shown)
      : approval ? this.#approval(session, approval)
      : h("div", { class: "needs-you-ask", dataset: { testid: "needs-you-activity" } }, shown));
    const since = item.querySelector("[data-testid=needs-you-since]");
    since.dataset.since = this.#since(session);
    setText(since, waited(since.dataset.since));
  }

  #who(session, name) {
    const title = this.#onOpen
      ? h("button", { type: "button", class: "link needs-you-name", onclick: () => this.#onOpen(session.id) }, name)
      : h("span", { class: "needs-you-name" }, name);
    return h("div", { class: "needs-you-who" }, title, h("span", { class: "needs-you-since", dataset: { testid: "needs-you-since" } }));
  }

  #approval(session, approval) {
    const parent = session.parent_id ? this.#store.sessions.get(session.parent_id) : undefined;
    return approvalCard(approval, session, {
      parent,
      answer: async (body) => this.#apply(await this.#request("POST",
        `api/sessions/${encodeURIComponent(session.id)}/approvals/${encodeURIComponent(approval.id)}`, body)),
      draft: this.#drafts.get(approval.id),
      onDraft: (draft) => (draft ? this.#drafts.set(approval.id, draft) : this.#drafts.delete(approval.id)),
    });
  }

  /** An approval as it is now: kept while pending, dropped once it ended. */
  #apply(approval, render = true) {
    if (!approval) {
      return;
    }

    const pending = this.#approvals.get(approval.session_id) ?? new Map();
    if (approval.state === "pending") {
      pending.set(approval.id, approval);
      this.#approvals.set(approval.session_id, pending);
    } else {
      pending.delete(approval.id);
      this.#drafts.delete(approval.id);
    }

    if (render) {
      this.render();
    }
  }

  async #readPending(sessionId) {
    try {
      const body = await this.#request("GET", `api/sessions/${encodeURIComponent(sessionId)}/approvals?state=pending`);
      for (const approval of body.approvals ?? []) {
        this.#apply(approval);
      }
    } catch {
      this.#read.delete(sessionId); // tried again at the next render
    }
  }

  async #request(method, path, body) {
    await this.#auth?.ready;
    const response = await fetch(new URL(path, this.#root), {
      method,
      headers: { accept: "application/json", ...(body ? { "content-type": "application/json" } : {}), ...this.#auth?.headers() },
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
    });
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error(json?.detail ?? `HTTP ${response.status}`);
    }

    return json;
  }

  /** When the session began waiting: its oldest pending approval's request, else its last change. */
  #since(session) {
    const asked = [...(this.#approvals.get(session.id)?.values() ?? [])].map((a) => a.requested_at).sort()[0];
    return asked ?? session.updated_at;
  }

  async #askToNotify() {
    if (await Notification.requestPermission() === "granted") {
      localStorage.setItem(NOTIFY_ITEM, "on");
      for (const session of this.waiting) {
        this.#announced.add(session.id); // from now on: the ones already waiting were seen on the page
      }
    }

    this.render();
  }

  #announce(waiting) {
    if (!this.#primed) {
      if (this.#store.loaded) {
        this.#primed = true;
        waiting.forEach((s) => this.#announced.add(s.id));
      }

      return;
    }

    const on = localStorage.getItem(NOTIFY_ITEM) === "on" && "Notification" in window && Notification.permission === "granted";
    for (const session of waiting) {
      if (this.#announced.has(session.id)) {
        continue;
      }

      this.#announced.add(session.id);
      if (on) {
        const approval = [...(this.#approvals.get(session.id)?.values() ?? [])][0];
        new Notification(`${session.name || session.id} needs you`, { body: approval?.summary ?? session.activity ?? "Waiting for input", tag: session.id });
      }
    }
  }

  #tickAges() {
    for (const el of this.#list.querySelectorAll("[data-testid=needs-you-since]")) {
      setText(el, waited(el.dataset.since));
    }
  }
}

/** "waiting 42 s", "waiting 3 min", "waiting 2 h". */
function waited(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 60 ? `waiting ${seconds} s` : seconds < 3600 ? `waiting ${Math.floor(seconds / 60)} min` : `waiting ${Math.floor(seconds / 3600)} h`;
}
