// The detail panel's tree: the subtree of the open session, from its `session:{id}` channel joined with
// `{subtree: true}` — the join's snapshot (and the rest of the subtree read page by page), then every descendant's
// events. No event is sent for an ancestor whose totals changed: each child event's `subtree_delta` is added to the
// ancestors held here (SubtreeDeltas, from the TypeScript client), so every node's rolled-up cost stays exact.

import { h, placeItems, setAttr, setText } from "../dom.js";
import { formatCost, formatInt } from "../format.js";
import { applyEvent, SubtreeDeltas } from "../../vendor/switchboard-client/live.js";

/** Nodes drawn at most; the rest are counted. */
const MAX_NODES = 300;

export class SubtreeModel {
  /** id → session: the open session and every descendant (ended ones too). */
  nodes = new Map();
  #rootId;
  #deltas = new SubtreeDeltas();
  #held = null;
  #generation = 0;

  constructor(rootId) {
    this.#rootId = rootId;
  }

  get root() { return this.nodes.get(this.#rootId) ?? null; }

  /**
   * A join reply: the snapshot replaces the tree. When the subtree has more pages, they are read with `readPage` and
   * events wait until they are in (a page may have been read before an event it does not reflect).
   */
  async load(reply, readPage, changed) {
    const generation = ++this.#generation;
    this.nodes = new Map();
    this.#deltas = new SubtreeDeltas();
    this.#held = null;
    if (reply.session) this.#put(reply.session, reply.seq);
    for (const s of reply.descendants ?? []) this.#put(s, reply.seq);
    let cursor = reply.next_cursor ?? null;
    if (!cursor) return;
    this.#held = [];
    try {
      while (cursor && generation === this.#generation) {
        const page = await readPage(cursor);
        if (generation !== this.#generation) return;
        for (const s of page.sessions) this.#put(s, page.as_of_seq);
        cursor = page.next_cursor;
        changed();
      }
    } finally {
      if (generation === this.#generation) {
        const waiting = this.#held ?? [];
        this.#held = null;
        for (const envelope of waiting) this.apply(envelope);
        changed();
      }
    }
  }

  /** A session event of the subtree. */
  apply(envelope) {
    if (this.#held) {
      this.#held.push(envelope);
      return;
    }

    const before = this.nodes.get(envelope.session_id) ?? null;
    const after = applyEvent(before, envelope);
    if (after) this.#put(after, envelope.seq);
    this.#deltas.apply(this.nodes, envelope);
  }

  #put(session, asOf) {
    this.nodes.set(session.id, session);
    this.#deltas.readAt(session.id, asOf);
  }
}

/** Draws the tree under the open session: each node with its state, name, and its subtree's cost and size. */
export function renderTree(list, more, model, onOpen) {
  const root = model.root;
  const children = new Map();
  for (const s of model.nodes.values()) {
    if (s.id !== root?.id && s.parent_id) {
      (children.get(s.parent_id) ?? children.set(s.parent_id, []).get(s.parent_id)).push(s);
    }
  }

  for (const kids of children.values()) {
    kids.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  }

  // A node is rebuilt only when what it shows changed, and placed without detaching the others: a click on a node
  // survives a descendant's event arriving in the middle of it.
  const items = [];
  const walk = (s, level) => {
    if (items.length >= MAX_NODES) return;
    items.push({ s, level });
    for (const kid of children.get(s.id) ?? []) walk(kid, level + 1);
  };
  if (root) walk(root, 0);
  placeItems(list, items, ({ s }) => s.id, ({ s, level }) => [s.name, s.state, level, s.subtree, s.cost_usd],
    ({ s, level }) => node(s, level, level === 0, onOpen));
  const hidden = model.nodes.size - items.length;
  more.hidden = hidden <= 0;
  setText(more, hidden > 0 ? `${formatInt(hidden)} more sessions in this subtree are not drawn.` : "");
}

function node(s, level, isRoot, onOpen) {
  const t = s.subtree;
  const li = h("li", {
    class: "tree-node", role: "treeitem",
    dataset: { testid: "tree-node", sessionId: s.id, state: s.state, level: String(level), root: isRoot ? "true" : undefined },
    title: t ? `${formatInt(t.sessions)} sessions (${formatInt(t.active)} active) · ${formatInt(t.total_tokens)} tokens · ${formatCost(t.cost_usd)}` : undefined,
  },
  h("span", { class: "tree-dot", dataset: { state: s.state }, "aria-hidden": "true" }),
  h("button", { type: "button", class: "tree-node-open", dataset: { testid: "tree-node-open" }, onclick: () => onOpen(s.id) }, s.name || s.id),
  h("span", { class: "tree-state", dataset: { testid: "tree-node-state" } }, s.state),
  h("span", { class: "tree-cost", dataset: { testid: "tree-node-cost" } }, formatCost(t?.cost_usd ?? s.cost_usd)));
  setAttr(li, "aria-level", level + 1);
  li.style.setProperty("--level", String(level)); // through the CSSOM: the page's CSP allows no inline style attribute
  return li;
}
