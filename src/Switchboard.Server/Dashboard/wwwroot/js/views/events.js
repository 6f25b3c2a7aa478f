// The most recent events, newest first, readable at any rate. Events only change a model; the list is rendered at most
// a few times a second (never while the pointer or focus is on it), usage is collapsed into one entry per session and
// window ("+5,200 tokens in 8 s"), and only a rare entry, in a quiet moment, fades in. A filter picks the kinds shown:
// lifecycle, state and errors by default. Summaries are left out: they restate what the header shows.

import { byTestId, h, setAttr, setText } from "../dom.js";
import { formatClock, formatCost, formatInt, stateLabel } from "../format.js";

const MAX_SHOWN = 50;
/** What the model keeps, so a filter change has something to show. Usage gets its own budget. */
const MAX_KEPT = 150;
const MAX_USAGE_KEPT = 60;
/** At most this many renders a second. */
const RENDER_EVERY_MS = 250;
/** Usage of one session within this window is one entry. */
export const USAGE_WINDOW_MS = 10_000;
/** An entry animates in only when it arrives alone after this long without another. */
const QUIET_MS = 1000;
export const FEED_KINDS = ["lifecycle", "state", "error", "usage", "other"];
const DEFAULT_KINDS = ["lifecycle", "state", "error"];
const KINDS_ITEM = "switchboard.feed-kinds";

export class EventFeed {
  #list = byTestId("event-list");
  #onOpen;
  /** Newest first. */
  #entries = [];
  #openUsage = new Map(); // session id -> its usage entry still collecting
  #nodes = new Map(); // entry key -> { li, version }
  #kinds;
  #timer = null;
  #lastRender = 0;
  #lastArrival = 0;
  #hovered = false;
  #held = 0; // entries that arrived while the list was held still
  #nextKey = 0;

  constructor({ onOpen }) {
    this.#onOpen = onOpen;
    this.#kinds = new Set(readKinds());
    for (const button of byTestId("feed-filter").querySelectorAll("[data-kind]")) {
      button.addEventListener("click", () => this.#toggle(button.dataset.kind));
    }

    // Held still while someone points at it or has focus in it; catches up as soon as both leave.
    let pointer = false;
    let focus = false;
    const hold = () => {
      this.#hovered = pointer || focus;
      this.#schedule();
    };
    this.#list.addEventListener("pointerenter", () => { pointer = true; hold(); });
    this.#list.addEventListener("pointerleave", () => { pointer = false; hold(); });
    this.#list.addEventListener("focusin", () => { focus = true; hold(); });
    this.#list.addEventListener("focusout", (e) => {
      if (!this.#list.contains(e.relatedTarget)) {
        focus = false;
        hold();
      }
    });
    this.#renderFilter();
  }

  /** `before`/`after` are the session around the event when the page knows it. */
  add(envelope, before, after) {
    const session = after ?? envelope.data?.session ?? null;
    const now = performance.now();
    const { kind, category, text } = describe(envelope, before, after);
    const id = envelope.session_id ?? null;
    const name = session?.name || id;
    const tokens = before && after ? (after.total_tokens ?? 0) - (before.total_tokens ?? 0) : 0;
    const cost = before && after ? Number(after.cost_usd ?? 0) - Number(before.cost_usd ?? 0) : 0;

    if (category === "usage") {
      this.#addUsage(id, name, envelope, tokens, cost, now);
    } else {
      this.#push({ key: this.#nextKey++, version: 0, kind, category, id, name, text, type: envelope.type, seq: envelope.seq, at: envelope.at, arrived: now });
    }

    this.#schedule();
  }

  #addUsage(id, name, envelope, tokens, cost, now) {
    const open = this.#openUsage.get(id);
    if (open && now - open.usage.start < USAGE_WINDOW_MS) {
      open.usage.tokens += tokens;
      open.usage.cost += cost;
      open.usage.count++;
      open.usage.last = now;
      open.at = envelope.at;
      open.seq = envelope.seq;
      open.name = name ?? open.name;
      open.text = usageText(open.usage);
      open.version++;
      return;
    }

    const entry = {
      key: this.#nextKey++, version: 0, kind: "usage", category: "usage", id, name, type: envelope.type, seq: envelope.seq, at: envelope.at,
      arrived: now, usage: { tokens, cost, count: 1, start: now, last: now },
    };
    entry.text = usageText(entry.usage);
    this.#openUsage.set(id, entry);
    this.#push(entry);
  }

  #push(entry) {
    this.#entries.unshift(entry);
    if (this.#hovered && this.#kinds.has(entry.category)) {
      this.#held++;
    }

    // Drop the oldest beyond each budget.
    let usage = 0;
    let other = 0;
    this.#entries = this.#entries.filter((e) => {
      const keep = e.category === "usage" ? ++usage <= MAX_USAGE_KEPT : ++other <= MAX_KEPT;
      if (!keep && this.#openUsage.get(e.id) === e) {
        this.#openUsage.delete(e.id);
      }

      return keep;
    });
  }

  #schedule() {
    if (this.#timer !== null) {
      return;
    }

    const wait = Math.max(0, this.#lastRender + RENDER_EVERY_MS - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#render();
    }, wait);
  }

  #render() {
    const paused = byTestId("feed-paused");
    if (this.#hovered) {
      paused.hidden = this.#held === 0;
      setText(paused, `Paused · ${formatInt(this.#held)} new`);
      return;
    }

    this.#held = 0;
    paused.hidden = true;
    const now = performance.now();
    const shown = this.#entries.filter((e) => this.#kinds.has(e.category)).slice(0, MAX_SHOWN);
    const fresh = shown.filter((e) => !this.#nodes.has(e.key));
    // Animating an entry is only worth it when it arrives alone in a quiet moment; under load it would never be seen.
    const animate = fresh.length === 1 && fresh[0].arrived - this.#lastArrival > QUIET_MS;
    if (fresh.length > 0) {
      this.#lastArrival = Math.max(...fresh.map((e) => e.arrived));
    }

    const keep = new Set(shown.map((e) => e.key));
    for (const [key, node] of this.#nodes) {
      if (!keep.has(key)) {
        node.li.remove();
        this.#nodes.delete(key);
      }
    }

    // Move only what is out of place: entries already in order are not touched (no restarted animations, no flicker).
    let cursor = this.#list.firstElementChild;
    for (const entry of shown) {
      let node = this.#nodes.get(entry.key);
      if (!node) {
        node = { li: this.#build(entry), version: entry.version };
        node.li.classList.toggle("event-enter", animate);
        this.#nodes.set(entry.key, node);
      } else {
        node.li.classList.remove("event-enter");
        if (node.version !== entry.version) {
          this.#update(node.li, entry);
          node.version = entry.version;
        }
      }

      if (node.li === cursor) {
        cursor = cursor.nextElementSibling;
      } else {
        this.#list.insertBefore(node.li, cursor);
      }
    }

    byTestId("events-empty").hidden = shown.length > 0;
    setText(byTestId("events-empty"), this.#entries.length > 0 ? "Nothing of the kinds selected yet." : "Events appear here as they happen.");
    this.#lastRender = now;
  }

  #build(entry) {
    const who = entry.id === null
      ? h("span", { class: "event-who" }, "Fleet")
      : h("button", { type: "button", class: "event-who link", title: entry.id, onclick: () => this.#onOpen(entry.id) }, entry.name || entry.id);
    return h("li", { class: `event event-${entry.kind}`, dataset: { testid: "event-item", type: entry.type, seq: entry.seq, category: entry.category } },
      h("span", { class: "event-dot", "aria-hidden": "true" }),
      h("div", { class: "event-main" }, who, h("span", { class: "event-text", title: entry.text, dataset: { testid: "event-text" } }, entry.text)),
      h("time", { class: "event-time", datetime: entry.at }, formatClock(entry.at)));
  }

  #update(li, entry) {
    setAttr(li, "data-seq", entry.seq);
    setText(li.querySelector(".event-text"), entry.text);
    setAttr(li.querySelector(".event-text"), "title", entry.text);
    const time = li.querySelector(".event-time");
    setAttr(time, "datetime", entry.at);
    setText(time, formatClock(entry.at));
  }

  #toggle(kind) {
    if (this.#kinds.has(kind)) {
      this.#kinds.delete(kind);
    } else {
      this.#kinds.add(kind);
    }

    localStorage.setItem(KINDS_ITEM, JSON.stringify([...this.#kinds]));
    this.#renderFilter();
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#render();
  }

  #renderFilter() {
    for (const button of byTestId("feed-filter").querySelectorAll("[data-kind]")) {
      setAttr(button, "aria-pressed", String(this.#kinds.has(button.dataset.kind)));
    }
  }
}

function readKinds() {
  try {
    const kinds = JSON.parse(localStorage.getItem(KINDS_ITEM) ?? "null");
    return Array.isArray(kinds) ? kinds.filter((k) => FEED_KINDS.includes(k)) : DEFAULT_KINDS;
  } catch {
    return DEFAULT_KINDS;
  }
}

function usageText({ tokens, cost, count, start, last }) {
  const parts = [];
  if (tokens !== 0) parts.push(`${tokens > 0 ? "+" : ""}${formatInt(tokens)} tokens`);
  if (cost !== 0) parts.push(`${cost > 0 ? "+" : ""}${formatCost(cost)}`);
  const what = parts.length ? parts.join(" · ") : "usage updated";
  return count > 1 ? `${what} in ${Math.max(1, Math.ceil((last - start) / 1000))} s` : what;
}

/** One line for an event: what changed, in words, and which filter category it belongs to. */
export function describe(envelope, before, after) {
  const data = envelope.data ?? {};
  switch (envelope.type) {
    case "session_created":
      return { kind: "created", category: "lifecycle", text: `created · ${stateLabel(data.session?.state)}` };
    case "session_terminated":
      return { kind: "terminated", category: "lifecycle", text: `terminated${data.reason ? ` · ${data.reason}` : ""}` };
    case "fleet_updated":
      return { kind: data.is_paused ? "paused" : "resumed", category: "lifecycle", text: data.is_paused ? "paused" : "resumed" };
    case "session_updated":
      return describeUpdate(data, before, after);
    default:
      return { kind: "other", category: "other", text: envelope.type };
  }
}

function describeUpdate(data, before, after) {
  const changes = data.changes ?? {};
  if (changes.state) {
    const from = data.previous_state ? `${stateLabel(data.previous_state)} → ` : "";
    const reason = data.reason ? ` · ${data.reason.replaceAll("_", " ")}` : "";
    const error = changes.state === "error" && changes.error_message ? ` · ${changes.error_message}` : "";
    return { kind: changes.state, category: changes.state === "error" ? "error" : "state", text: `${from}${stateLabel(changes.state)}${reason}${error}` };
  }

  if (changes.error_message) {
    return { kind: "error", category: "error", text: changes.error_message };
  }

  if ("total_tokens" in changes || "cost_usd" in changes) {
    const parts = [];
    if (before && after && after.total_tokens !== before.total_tokens) {
      parts.push(`+${formatInt(after.total_tokens - before.total_tokens)} tokens`);
    } else if ("total_tokens" in changes) {
      parts.push(`${formatInt(changes.total_tokens)} tokens`);
    }

    if (before && after && Number(after.cost_usd) !== Number(before.cost_usd)) {
      parts.push(`+${formatCost(Number(after.cost_usd) - Number(before.cost_usd))}`);
    }

    return { kind: "usage", category: "usage", text: parts.length ? parts.join(" · ") : "usage" };
  }

  const fields = Object.keys(changes).filter((k) => k !== "updated_at").map((k) => k.replaceAll("_", " "));
  return { kind: "updated", category: "other", text: fields.length ? `${fields.join(", ")} updated` : "updated" };
}
