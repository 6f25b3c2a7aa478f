// The detail panel's command history of one session: what it knows of each command, and the list it draws.
import { byTestId, h, placeItems } from "../dom.js";
import { formatClock } from "../format.js";

export class CommandHistory {
  #commands = new Map();

  /** Keeps the latest known state of a command: states only move forward (pending, delivered, then one of the ends). */
  remember(command) {
    const rank = (c) => ["pending", "delivered"].indexOf(c.state) + 1 || 3;
    const known = this.#commands.get(command.id);
    if (!known || rank(command) >= rank(known)) {
      this.#commands.set(command.id, command);
    }
  }

  /** Draws the commands, newest first. */
  render() {
    const commands = [...this.#commands.values()].sort((a, b) => (a.issued_at < b.issued_at ? 1 : a.issued_at > b.issued_at ? -1 : 0));
    byTestId("detail-commands-empty").hidden = commands.length > 0;
    // A command is drawn again only when what it shows changed: a selection in the others survives its news.
    placeItems(byTestId("detail-commands"), commands, (c) => c.id, (c) => [c.type, c.state, c.issued_at, describeCommand(c)], (c) =>
      h("li", { dataset: { testid: "detail-command", commandId: c.id, type: c.type, state: c.state } },
        h("time", { datetime: c.issued_at }, formatClock(c.issued_at)),
        h("span", {}, describeCommand(c))));
  }
}

/** "cancel · acknowledged: done (stopped at step 3) · by key-1a2b3c4d", "message “hi” · pending". */
function describeCommand(c) {
  const text = c.text ? ` “${c.text.length > 80 ? `${c.text.slice(0, 80)}…` : c.text}”` : "";
  const outcome = c.state === "acknowledged" ? `: ${c.outcome}${c.note ? ` (${c.note})` : ""}` : "";
  return `${c.type}${text} · ${c.state}${outcome} · by ${c.issued_by}`;
}
