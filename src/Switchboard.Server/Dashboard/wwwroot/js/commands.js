// The fleet's outstanding commands (docs/commands.md), from the `commands` channel: its join snapshot holds every command
// not yet acknowledged, expired or withdrawn, and its events keep that set current, resuming by seq after a reconnect.
// The session list reads it for its "cancel requested" badge.

export const COMMAND_EVENTS = ["command_issued", "command_delivered", "command_acknowledged", "command_expired", "command_withdrawn"];

export class CommandFeed {
  #outstanding = new Map();
  #listeners = new Set();
  #seq = 0;
  #epoch = null;

  constructor(socket) {
    const channel = socket.channel("commands", () => (this.#seq > 0 ? { since: this.#seq, epoch: this.#epoch } : {}));
    for (const type of COMMAND_EVENTS) {
      channel.on(type, (envelope) => this.#apply(envelope));
    }

    // phoenix.js resends this join push on every rejoin, so its "ok" hook runs for each (re)join's reply.
    channel.join().receive("ok", (reply) => {
      this.#epoch = reply.epoch;
      if (!reply.resumed) {
        this.#outstanding.clear();
        for (const command of reply.commands ?? []) {
          this.#outstanding.set(command.id, command);
        }

        this.#seq = reply.seq ?? 0;
      }

      this.#changed();
    });
  }

  /** True while a cancel issued to the session is neither answered, expired nor withdrawn. */
  cancelRequested(sessionId) {
    for (const command of this.#outstanding.values()) {
      if (command.session_id === sessionId && command.type === "cancel") {
        return true;
      }
    }

    return false;
  }

  /** Calls `listener` whenever the set changes; returns the function that stops it. */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(envelope) {
    if (envelope.seq <= this.#seq) {
      return; // a replay of what the snapshot already holds
    }

    this.#seq = envelope.seq;
    const command = envelope.data.command;
    if (command.state === "pending" || command.state === "delivered") {
      this.#outstanding.set(command.id, command);
    } else {
      this.#outstanding.delete(command.id);
    }

    this.#changed();
  }

  #changed() {
    for (const listener of [...this.#listeners]) {
      listener();
    }
  }
}
