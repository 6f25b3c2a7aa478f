// The state badge, and the source badge of sessions that came from OpenTelemetry. An error badge carries the error
// message as its tooltip (title) and, for assistive technology, as its accessible description.

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

/**
 * Where a session came from, when not from the API: "OpenTelemetry · claude-code" for a session Switchboard made from
 * an agent's telemetry (labels `source=opentelemetry`, `service=<service.name>`). Null for any other session.
 */
export function sourceBadge(session) {
  const labels = session.labels ?? {};
  if (labels.source !== "opentelemetry") {
    return null;
  }

  const text = labels.service ? `OpenTelemetry · ${labels.service}` : "OpenTelemetry";
  return h("span", { class: "source-badge", title: `Reported by ${labels.service ?? "an agent"} over OpenTelemetry; no producer code`,
    dataset: { testid: "source-badge" } }, text);
}
