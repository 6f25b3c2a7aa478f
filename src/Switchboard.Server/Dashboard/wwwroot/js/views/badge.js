// The state badge. An error badge carries the error message as its tooltip (title) and, for assistive
// technology, as its accessible description.

import { h } from "../dom.js";
import { stateLabel } from "../format.js";

let nextId = 0;

export function stateBadge(session) {
  const state = session.state;
  const badge = h("span", { class: `badge badge-${state}`, dataset: { testid: "state-badge", state } },
    h("span", { class: "badge-dot", "aria-hidden": "true" }), stateLabel(state));
  if (state === "error") {
    const message = session.error_message || "No error message was given.";
    const id = `badge-error-${++nextId}`;
    badge.title = message;
    badge.tabIndex = 0;
    badge.setAttribute("aria-describedby", id);
    return h("span", { class: "badge-wrap" }, badge, h("span", { id, class: "visually-hidden", dataset: { testid: "error-description" } }, message));
  }

  return badge;
}
