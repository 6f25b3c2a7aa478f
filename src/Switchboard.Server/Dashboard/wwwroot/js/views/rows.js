// Table rows keyed by session id: a row element lives as long as its session is on screen, and each cell is
// touched only when what it shows changed, so updates land in place without re-rendering the table. A session with
// children in the view has a toggle that shows or hides them (nested under it, indented by depth); every row shows its
// subtree: how many sessions and the cost of the session and everything it started.

import { h, placeItems, setAttr, setText } from "../dom.js";
import { formatCost, formatInt, labelPairs, timeAgo } from "../format.js";
import { sourceBadge, stateBadge } from "./badge.js";

/** Label chips shown per row; the rest are counted in "+N" (and listed in its tooltip). */
const MAX_CHIPS = 2;

export class SessionRows {
  #body;
  /** A row element → its cells and what they show. */
  #rows = new WeakMap();
  #onOpen;
  #onLabel;
  #onToggle;
  #selectedId = null;

  #priority = () => [];

  /** The fleet's outstanding commands (commands.js): a session with a cancel waiting shows "cancel requested". */
  commands = null;

  /**
   * @param {{onOpen, onLabel, onToggle?, priority?: () => string[]}} options priority: label keys shown first (the filtered
   * ones); onToggle(id): expand or collapse a session's children
   */
  constructor(body, { onOpen, onLabel, onToggle, priority }) {
    this.#body = body;
    this.#onOpen = onOpen;
    this.#onLabel = onLabel;
    this.#onToggle = onToggle ?? (() => {});
    this.#priority = priority ?? this.#priority;
    // The whole row opens the panel; its own buttons (the name, label chips) keep their meaning. The row is the one the
    // press landed on: in a busy newest-first list a new row can push it down before the release, and the browser then
    // sends the click to the table body (the nearest element under both), which would lose it.
    let pressed = null;
    body.addEventListener("pointerdown", (e) => {
      pressed = e.target.closest("button, a") ? null : e.target.closest("tr.session-row");
    });
    body.addEventListener("click", (e) => {
      const row = e.target.closest("button, a") ? null : e.target.closest("tr.session-row") ?? pressed;
      pressed = null;
      if (row?.isConnected && row.dataset.sessionId) {
        this.#onOpen(row.dataset.sessionId);
      }
    });
  }

  set selectedId(id) {
    this.#selectedId = id;
    for (const tr of this.#body.children) {
      tr.classList.toggle("is-selected", tr.dataset.sessionId === id);
    }
  }

  /** @param entries sessions, or {session, depth, children, expanded} for rows of a tree */
  render(entries) {
    const rows = entries.map((entry) => (entry.session ? entry : { session: entry }));
    // A row keeps its element while its session is on screen and its cells change in place, so a click on it survives.
    const trs = placeItems(this.#body, rows, ({ session }) => session.id, () => "", ({ session }) => this.#create(session));
    rows.forEach(({ session, depth = 0, children = 0, expanded = false }, i) => {
      const row = this.#rows.get(trs[i]);
      this.#update(row, session);
      row.cancel.hidden = !(this.commands?.cancelRequested(session.id) && session.state !== "terminated");
      this.#tree(row, session, depth, children, expanded);
    });
  }

  tick() {
    const now = Date.now();
    for (const tr of this.#body.children) {
      const row = this.#rows.get(tr);
      setText(row.time, timeAgo(row.updatedAt, now));
    }
  }

  #create(session) {
    const row = {
      name: h("span", { class: "session-name" }),
      id: h("span", { class: "session-id" }),
      labels: h("span", { class: "session-labels" }),
      source: h("span", { class: "session-source" }),
      error: h("span", { class: "session-error", dataset: { testid: "session-error" } }),
      cancel: h("span", { class: "badge badge-cancel", dataset: { testid: "cancel-requested" }, title: "A cancel was issued to this session's producer; it has not answered yet", hidden: true },
        "cancel requested"),
      state: h("td", { class: "c-state" }),
      tokens: h("td", { class: "num c-tokens", dataset: { testid: "session-tokens" } }),
      cost: h("td", { class: "num c-cost", dataset: { testid: "session-cost" } }),
      tasks: h("td", { class: "num c-tasks" }),
      subtree: h("td", { class: "num c-subtree", dataset: { testid: "session-subtree" } }),
      toggle: h("button", { type: "button", class: "tree-toggle", dataset: { testid: "tree-toggle" }, hidden: true,
        onclick: () => this.#onToggle(session.id) }),
      time: h("time", { class: "c-time" }),
      keys: {},
      version: undefined,
      updatedAt: null,
    };
    const open = h("button", { type: "button", class: "session-open", dataset: { testid: "session-open" },
      onclick: () => this.#onOpen(session.id) }, row.name);
    const cell = h("td", { class: "c-name" }, h("div", { class: "session-line" }, row.toggle, open), row.cancel, row.error,
      h("div", { class: "session-meta" }, row.source, row.id, row.labels));
    row.tr = h("tr", { class: "session-row", dataset: { testid: "session-row", sessionId: session.id } },
      cell, row.state, row.tokens, row.cost, row.subtree, row.tasks, h("td", { class: "c-updated" }, row.time));
    row.tr.classList.toggle("is-selected", session.id === this.#selectedId);
    this.#rows.set(row.tr, row);
    return row.tr;
  }

  /** The tree part of a row: its depth, the children toggle (with how many are in the view), and the subtree's totals. */
  #tree(row, s, depth, children, expanded) {
    setAttr(row.tr, "data-depth", depth || null);
    row.tr.style.setProperty("--depth", String(depth));
    row.toggle.hidden = children === 0;
    setAttr(row.toggle, "aria-expanded", children === 0 ? null : String(expanded));
    setAttr(row.toggle, "aria-label", `${expanded ? "Hide" : "Show"} ${children} ${children === 1 ? "child" : "children"} of ${s.name || s.id}`);
    setAttr(row.toggle, "data-children", children);
    setText(row.toggle, `${expanded ? "▾" : "▸"} ${formatInt(children)}`);
    const t = s.subtree;
    this.#cell(row, "subtree", t ? JSON.stringify(t) : "", () => {
      if (!t || t.sessions <= 1) {
        row.subtree.replaceChildren(h("span", { class: "muted" }, "—"));
        setAttr(row.subtree, "title", "No sub-sessions");
        return;
      }

      row.subtree.replaceChildren(formatCost(t.cost_usd), h("span", { class: "subtree-count" }, ` · ${formatInt(t.sessions)}`));
      setAttr(row.subtree, "title", `${formatInt(t.sessions)} sessions in this subtree (${formatInt(t.active)} active), `
        + `${formatInt(t.total_tokens)} tokens, ${formatCost(t.cost_usd)} in all`);
    });
  }

  #update(row, s) {
    const priority = this.#priority().join(",");
    if (row.version === s.version) {
      if (row.priority !== priority) {
        row.priority = priority;
        this.#labels(row, s, priority);
      }

      return;
    }

    row.priority = priority;
    const isUpdate = row.version !== undefined;
    row.version = s.version;
    setAttr(row.tr, "data-state", s.state);
    row.tr.classList.toggle("is-terminated", s.state === "terminated");
    setText(row.name, s.name || s.id);
    setText(row.id, s.id);
    row.id.hidden = !s.name;
    this.#cell(row, "state", `${s.state}\n${s.error_message ?? ""}`, () => row.state.replaceChildren(stateBadge(s)));
    this.#cell(row, "source", `${s.labels?.source ?? ""}\n${s.labels?.service ?? ""}`, () => {
      const badge = sourceBadge(s);
      row.source.replaceChildren(...(badge ? [badge] : []));
      row.source.hidden = !badge;
    });
    row.error.hidden = !s.error_message;
    setText(row.error, s.error_message ?? "");
    setAttr(row.error, "title", s.error_message || null);
    this.#labels(row, s, priority);
    setText(row.tokens, formatInt(s.total_tokens));
    setAttr(row.tokens, "title", `${formatInt(s.input_tokens)} in · ${formatInt(s.output_tokens)} out`);
    setText(row.cost, formatCost(s.cost_usd));
    setText(row.tasks, formatInt(s.tasks_running));
    row.updatedAt = s.updated_at;
    setAttr(row.time, "datetime", s.updated_at);
    setAttr(row.time, "title", new Date(s.updated_at).toLocaleString());
    setText(row.time, timeAgo(s.updated_at));
    if (isUpdate) {
      flash(row.tr);
    }
  }

  /** The label chips, drawn again when the labels or the keys shown first changed. */
  #labels(row, s, priority) {
    this.#cell(row, "labels", JSON.stringify(s.labels ?? {}) + priority, () => row.labels.replaceChildren(...this.#chips(s.labels)));
  }

  #cell(row, name, key, build) {
    if (row.keys[name] !== key) {
      row.keys[name] = key;
      build();
    }
  }

  #chips(labels) {
    const first = this.#priority();
    const rank = (pair) => {
      const i = first.indexOf(pair.slice(0, pair.indexOf("=")));
      return i < 0 ? first.length : i;
    };
    const pairs = labelPairs(labels).map((p, i) => [p, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([p]) => p);
    const chips = pairs.slice(0, MAX_CHIPS).map((pair) => {
      const eq = pair.indexOf("=");
      return h("button", { type: "button", class: "label-chip", title: `Show only ${pair}`, dataset: { testid: "label-chip" },
        onclick: () => this.#onLabel(pair.slice(0, eq), pair.slice(eq + 1)) }, pair);
    });
    if (pairs.length > MAX_CHIPS) {
      chips.push(h("span", { class: "label-more", dataset: { testid: "label-more" }, title: pairs.slice(MAX_CHIPS).join("\n") },
        `+${pairs.length - MAX_CHIPS}`));
    }

    return chips;
  }
}

/** A brief highlight on a row whose session just changed. */
function flash(tr) {
  tr.classList.remove("flash");
  // Reading layout restarts the CSS animation for a row that changes again while still highlighted.
  void tr.offsetWidth;
  tr.classList.add("flash");
}
