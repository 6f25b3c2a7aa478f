// The most recent events, newest first. Summaries are left out: they restate what the header shows.

import { byTestId, h } from "../dom.js";
import { formatClock, formatCost, formatInt, stateLabel } from "../format.js";

const MAX_EVENTS = 50;

export class EventFeed {
  #list = byTestId("event-list");
  #onOpen;

  constructor({ onOpen }) {
    this.#onOpen = onOpen;
  }

  /** `before`/`after` are the session around the event when the page knows it. */
  add(envelope, before, after) {
    const session = after ?? envelope.data?.session ?? null;
    const { kind, text } = describe(envelope, before, after);
    const id = envelope.session_id;
    const who = id === null || id === undefined
      ? h("span", { class: "event-who" }, "Fleet")
      : h("button", { type: "button", class: "event-who link", title: id, onclick: () => this.#onOpen(id) },
        session?.name || id);
    const item = h("li", { class: `event event-${kind}`, dataset: { testid: "event-item", type: envelope.type, seq: envelope.seq } },
      h("span", { class: "event-dot", "aria-hidden": "true" }),
      h("div", { class: "event-main" }, who, h("span", { class: "event-text" }, text)),
      h("time", { class: "event-time", datetime: envelope.at }, formatClock(envelope.at)));
    this.#list.prepend(item);
    while (this.#list.children.length > MAX_EVENTS) {
      this.#list.lastElementChild.remove();
    }

    byTestId("events-empty").hidden = true;
  }
}

/** One line for an event: what changed, in words. */
export function describe(envelope, before, after) {
  const data = envelope.data ?? {};
  switch (envelope.type) {
    case "session_created":
      return { kind: "created", text: `created · ${stateLabel(data.session?.state)}` };
    case "session_terminated":
      return { kind: "terminated", text: `terminated${data.reason ? ` · ${data.reason}` : ""}` };
    case "fleet_updated":
      return { kind: data.is_paused ? "paused" : "resumed", text: data.is_paused ? "paused" : "resumed" };
    case "session_updated":
      return describeUpdate(data, before, after);
    default:
      return { kind: "other", text: envelope.type };
  }
}

function describeUpdate(data, before, after) {
  const changes = data.changes ?? {};
  if (changes.state) {
    const from = data.previous_state ? `${stateLabel(data.previous_state)} → ` : "";
    const reason = data.reason ? ` · ${data.reason.replaceAll("_", " ")}` : "";
    return { kind: changes.state, text: `${from}${stateLabel(changes.state)}${reason}` };
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

    return { kind: "usage", text: parts.length ? parts.join(" · ") : "usage" };
  }

  const fields = Object.keys(changes).filter((k) => k !== "updated_at").map((k) => k.replaceAll("_", " "));
  return { kind: "updated", text: fields.length ? `${fields.join(", ")} updated` : "updated" };
}
