// The detail panel: one session, live from its own `session:{id}` channel, which is joined (with its whole subtree)
// when the panel opens and left when it closes. Opening also fetches the session's recent history (a user action).
// The tree section draws everything the session started, each node with its state and rolled-up cost (tree.js).

import { byTestId, frameScheduler, h, placeItems, setAttr, setText } from "../dom.js";
import { formatClock, formatCost, formatDateTime, formatInt, labelPairs, timeAgo } from "../format.js";
import { Presence } from "../../vendor/phoenix/phoenix.mjs";
import { applyEvent } from "../../vendor/switchboard-client/live.js";
import { sourceBadge, stateBadge } from "./badge.js";
import { describe } from "./events.js";
import { ActionForm } from "./actions.js";
import { CommandHistory } from "./commands.js";
import { APPROVAL_EVENTS, ApprovalHistory } from "./approval-history.js";
import { SubtreeModel, renderTree } from "./tree.js";
import { OutputView } from "./output.js";

const MAX_TIMELINE = 40;

const COMMAND_EVENTS = ["command_issued", "command_delivered", "command_acknowledged", "command_expired", "command_withdrawn"];

// Who this tab is, for presence: one viewer per tab, so two tabs of one person show as two.
const VIEWER = { name: "dashboard", id: `tab-${crypto.getRandomValues(new Uint32Array(2)).join("")}` };

export class DetailPanel {
  #socket;
  #api;
  #onClose;
  #onNavigate;
  #root = byTestId("detail");
  #channel = null;
  #session = null;
  #timeline = new Map();
  #commands = new CommandHistory();
  #approvals = new ApprovalHistory();
  #returnFocus = null;
  #actions;
  #tree = null;
  #renderTree = frameScheduler(() => this.#drawTree());
  #output;

  /** onNavigate(id): the panel moved to another session of the tree (a node or the parent link). */
  constructor(socket, api, { onClose, onNavigate }) {
    this.#socket = socket;
    this.#api = api;
    this.#onClose = onClose;
    this.#onNavigate = onNavigate;
    this.#output = new OutputView(api);
    byTestId("detail-close").addEventListener("click", () => this.close());
    this.#actions = new ActionForm(api, {
      openId: () => this.openId,
      session: () => this.#session,
      onCommand: (command) => this.#commands.remember(command),
      onSession: (session) => {
        if (!this.#session || session.version >= this.#session.version) {
          this.#session = session;
        }
      },
      render: () => this.#render(),
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.openId !== null) {
        this.close();
      }
    });
  }

  get openId() {
    return this.#channel ? this.#channel.topic.slice("session:".length) : null;
  }

  /** Opens the panel on a session; `known` is the copy the page already has, shown until the join answers. */
  open(id, known) {
    if (this.openId === id) {
      byTestId("detail-close").focus();
      return;
    }

    this.#leave();
    this.#returnFocus = document.activeElement;
    this.#session = known ?? null;
    this.#timeline = new Map();
    this.#commands = new CommandHistory();
    this.#approvals = new ApprovalHistory();
    this.#tree = new SubtreeModel(id);
    this.#actions.ask(null);
    this.#actions.showResult(null);
    const channel = this.#socket.channel(`session:${id}`, { viewer: VIEWER, subtree: true, limit: 1000 });
    // phoenix.js's Presence merges the state and diffs in any order; the count is its distinct keys.
    const presence = new Presence(channel);
    presence.onSync(() => channel === this.#channel && this.setViewers(presence.list().length));
    for (const type of ["session_created", "session_updated", "session_terminated"]) {
      channel.on(type, (envelope) => this.#event(channel, envelope));
    }

    for (const type of COMMAND_EVENTS) {
      channel.on(type, (envelope) => this.#commandEvent(channel, envelope));
    }

    for (const type of APPROVAL_EVENTS) {
      channel.on(type, (envelope) => {
        if (channel === this.#channel && envelope.data?.approval) {
          this.#approvals.remember(envelope.data.approval);
          this.#render();
        }
      });
    }

    channel.onError(() => channel === this.#channel && this.#render());
    this.#channel = channel;
    // The join push's hooks run again on every rejoin (phoenix.js resends the same push).
    channel.join().receive("ok", (reply) => {
      if (channel === this.#channel && reply.session && (!this.#session || reply.session.version >= this.#session.version)) {
        this.#session = reply.session;
      }

      if (channel === this.#channel) {
        const tree = this.#tree;
        tree.load(reply, (cursor) => this.#api.sessionTree(id, cursor), () => tree === this.#tree && this.#renderTree()).catch(() => {
          // The tree stays as the snapshot has it; the rest of the panel is live.
        });
        this.#renderTree();
      }

      this.#render();
    });
    this.#root.hidden = false;
    setAttr(this.#root, "data-session-id", id);
    this.#render();
    byTestId("detail-close").focus();
    this.#loadHistory(channel, id);
    this.#loadCommands(channel, id);
    this.#loadApprovals(channel, id);
  }

  close() {
    if (!this.#channel) {
      return;
    }

    this.#leave();
    this.#root.hidden = true;
    setAttr(this.#root, "data-session-id", null);
    this.#onClose();
    if (this.#returnFocus?.isConnected) {
      this.#returnFocus.focus();
    }
  }

  /**
   * Where the presence feature shows how many people are looking at this session: call with a count, or null
   * to hide it. (Presence arrives on the same `session:{id}` channel, so it belongs to this panel.)
   */
  setViewers(count) {
    const el = byTestId("detail-viewers");
    el.hidden = count === null || count === undefined;
    setText(el, count === 1 ? "1 viewer" : `${formatInt(count ?? 0)} viewers`);
    setAttr(el, "title", count === 1 ? "Only you have this session open" : `${formatInt(count ?? 0)} people have this session open`);
  }

  /** Relative times only. */
  tick() {
    if (this.#session) {
      setText(byTestId("detail-since"), `updated ${timeAgo(this.#session.updated_at)}`);
    }
  }

  /** The tree section: the parent (a link up), the subtree's totals, and the tree of what the session started. */
  #drawTree() {
    const tree = this.#tree;
    const session = this.#session;
    if (!tree || !this.openId) {
      return;
    }

    const open = (id) => this.#openOther(id);
    const parent = byTestId("detail-parent");
    parent.hidden = !session?.parent_id;
    // Drawn again only for another parent or root: the tree redraws at every event of the panel's session.
    placeItems(parent, session?.parent_id ? [[session.parent_id, session.root_id]] : [], () => "parent", (ids) => ids,
      ([parentId, rootId]) => h("span", {}, "Started by ",
        h("button", { type: "button", dataset: { testid: "detail-parent-open" }, onclick: () => open(parentId) }, parentId),
        rootId && rootId !== parentId ? ` · in the tree of ${rootId}` : ""));

    const t = (tree.root ?? session)?.subtree;
    fill("detail-subtree", t ? [
      ["Sessions", `${formatInt(t.sessions)} (${formatInt(t.active)} active)`],
      ["Subtree cost", formatCost(t.cost_usd)],
      ["Subtree tokens", formatInt(t.total_tokens)],
      ["Depth", formatInt(session?.depth ?? 0)],
    ] : []);
    renderTree(byTestId("detail-tree"), byTestId("detail-tree-more"), tree, open);
  }

  /**
   * The status line: the badges are drawn again only when the state (or error) or the source changes; "updated … ago"
   * and the activity keep their elements and change their text, so a selection in the line survives the session's events.
   */
  #drawStatus(s) {
    const status = byTestId("detail-status");
    if (!s) {
      const text = this.#channel?.state === "joined" ? "Not created yet" : "Loading…";
      placeItems(status, [text], (t) => t, (t) => t, (t) => h("span", { class: "muted" }, t));
      return;
    }

    const source = sourceBadge(s);
    const parts = [["state", [s.state, s.state === "error" ? s.error_message : null]], ["source", source && source.textContent],
      ["since", ""], ["activity", s.activity ? "" : null]].filter(([, shown]) => shown !== null);
    const build = {
      state: () => stateBadge(s),
      source: () => source,
      since: () => h("span", { class: "muted", dataset: { testid: "detail-since" } }),
      activity: () => h("span", { class: "detail-activity", dataset: { testid: "detail-activity" } }),
    };
    placeItems(status, parts, ([part]) => part, ([, shown]) => shown, ([part]) => build[part]());
    setText(byTestId("detail-since", status), `updated ${timeAgo(s.updated_at)}`);
    const activity = byTestId("detail-activity", status);
    if (activity) {
      setText(activity, s.activity);
      setAttr(activity, "title", s.activity);
    }
  }

  /** A node of the tree (or the parent link) opens that session in this panel. */
  #openOther(id) {
    if (id !== this.openId) {
      const back = this.#returnFocus; // closing returns focus to where the panel was first opened from
      this.open(id, this.#tree?.nodes.get(id) ?? null);
      this.#returnFocus = back;
      this.#onNavigate?.(id);
    }
  }

  #leave() {
    this.#output.stop();
    this.#channel?.leave();
    this.#channel = null;
    this.setViewers(null);
  }

  #event(channel, envelope) {
    if (channel !== this.#channel) {
      return;
    }

    // The subtree channel carries every descendant's events: they change the tree; the session's own change the rest.
    this.#tree?.apply(envelope);
    this.#renderTree();
    if (envelope.session_id !== this.openId) {
      return;
    }

    const before = this.#session;
    const after = applyEvent(before, envelope);
    if (after) {
      this.#session = after;
    }

    this.#timeline.set(envelope.seq, { envelope, text: describe(envelope, before, after ?? before).text });
    this.#render();
  }

  #commandEvent(channel, envelope) {
    if (channel === this.#channel) {
      this.#commands.remember(envelope.data.command);
      this.#render();
    }
  }

  async #loadApprovals(channel, id) {
    try {
      const list = await this.#api.listApprovals(id);
      if (channel === this.#channel) {
        list.approvals.forEach((a) => this.#approvals.remember(a));
        this.#render();
      }
    } catch {
      // The history starts with what the channel brings from now on.
    }
  }

  async #loadCommands(channel, id) {
    try {
      const list = await this.#api.listCommands(id);
      if (channel !== this.#channel) {
        return;
      }

      for (const command of list.commands) {
        this.#commands.remember(command);
      }

      this.#render();
    } catch {
      // The live part still shows commands issued from now on.
    }
  }

  async #loadHistory(channel, id) {
    try {
      const page = await this.#api.sessionEvents(id);
      if (channel !== this.#channel) {
        return;
      }

      // Replay the history on an empty session to get before/after pairs for usage deltas.
      let session = null;
      for (const envelope of page.events) {
        const after = applyEvent(session, envelope) ?? session;
        if (!this.#timeline.has(envelope.seq)) {
          this.#timeline.set(envelope.seq, { envelope, text: describe(envelope, session, after).text });
        }

        session = after;
      }

      this.#render();
    } catch {
      // The live part of the panel still works; the history just stays short.
    }
  }

  #render() {
    const s = this.#session;
    const id = this.openId;
    setAttr(this.#root, "data-channel", this.#channel?.state ?? null);
    setText(byTestId("detail-title"), s?.name || id || "");
    setText(byTestId("detail-id"), id ?? "");
    this.#drawStatus(s);
    if (!s) {
      byTestId("detail-body").hidden = true;
      return;
    }

    byTestId("detail-body").hidden = false;
    this.#output.render(s);
    const active = s.state !== "terminated" && s.state !== "terminating";
    byTestId("detail-actions").hidden = !active;
    // A producer that cannot receive commands gets none offered; terminating stays.
    const commandable = active && s.accepts_commands !== false;
    for (const button of byTestId("detail-actions").querySelectorAll("[data-command]")) {
      button.hidden = !commandable;
    }

    byTestId("commands-unsupported").hidden = !(active && s.accepts_commands === false);
    byTestId("action-pause").hidden = !commandable || s.state === "paused";
    byTestId("action-resume").hidden = !commandable || s.state !== "paused";
    if (!active && this.#actions.pending) {
      this.#actions.ask(null);
    }

    const error = byTestId("detail-error");
    error.hidden = !s.error_message;
    setText(error, s.error_message ?? "");
    fill("detail-usage", [
      ["Input tokens", formatInt(s.input_tokens)],
      ["Output tokens", formatInt(s.output_tokens)],
      ["Total tokens", formatInt(s.total_tokens)],
      ["Cost", formatCost(s.cost_usd)],
      ["Tasks running", formatInt(s.tasks_running)],
      ["Version", formatInt(s.version)],
    ]);
    this.#renderTree();
    fill("detail-lifecycle", [
      ["Created", formatDateTime(s.created_at)],
      ["Updated", formatDateTime(s.updated_at)],
      ["Terminated", formatDateTime(s.terminated_at)],
      ["Lease", s.lease_seconds ? `${s.lease_seconds}s` : "none"],
    ]);
    const pairs = labelPairs(s.labels);
    // The labels and the timeline keep each unchanged item's node: a selection in one survives the session's events.
    placeItems(byTestId("detail-labels"), pairs.length ? pairs : [null], (p) => p, (p) => p,
      (p) => (p === null ? h("span", { class: "muted" }, "none") : h("span", { class: "label-chip static" }, p)));
    setText(byTestId("detail-metadata"), JSON.stringify(s.metadata ?? {}, null, 2));
    this.#commands.render();
    this.#approvals.render();
    const items = [...this.#timeline.values()].sort((a, b) => b.envelope.seq - a.envelope.seq).slice(0, MAX_TIMELINE);
    placeItems(byTestId("detail-timeline"), items, ({ envelope }) => envelope.seq, ({ envelope, text }) => [envelope.type, envelope.at, text],
      ({ envelope, text }) => h("li", { dataset: { testid: "detail-event", seq: String(envelope.seq), type: envelope.type } },
        h("time", { datetime: envelope.at }, formatClock(envelope.at)), h("span", {}, text)));
  }
}

/** A list of facts: a term and its value keep their nodes while they read the same, so a selection among them survives events. */
function fill(testId, rows) {
  placeItems(byTestId(testId), rows.flatMap(([term, value]) => [["dt", term, term], ["dd", term, value]]),
    ([tag, term]) => `${tag} ${term}`, ([, , text]) => text, ([tag, term, text]) => h(tag, { dataset: { term } }, text));
}
