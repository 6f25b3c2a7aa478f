// One topic on a Phoenix socket: join (with params read at each join), leave, server events, and the
// rules for replies, errors, closes and stale frames (a join_ref that is not the current one).

import { backoff, REJOIN_MAX_MS, REJOIN_STEPS_MS } from "./backoff.js";

export class Channel {
  #socket;
  #params;
  #bindings = new Map();
  #joinListeners = [];
  #errorListeners = [];
  #joinRef = null;
  #joinTimer = null;
  #rejoinTimer = null;
  #rejoinTries = 0;
  #wanted = false;

  constructor(socket, topic, params) {
    this.#socket = socket;
    this.topic = topic;
    this.#params = params;
    /** closed | joining | joined | errored */
    this.state = "closed";
  }

  /** Listens for a server event (broadcast or push) on this topic. */
  on(event, callback) {
    const list = this.#bindings.get(event) ?? [];
    list.push(callback);
    this.#bindings.set(event, list);
    return this;
  }

  /** Called with the join reply's response after every successful (re)join. */
  onJoin(callback) { this.#joinListeners.push(callback); return this; }

  /** Called with a reason whenever the channel stops being joined (error reply, timeout, crash, lost socket). */
  onError(callback) { this.#errorListeners.push(callback); return this; }

  join() {
    this.#wanted = true;
    this.#rejoinTries = 0;
    if (this.#socket.isConnected() && this.state !== "joining") {
      this.#sendJoin();
    }

    return this;
  }

  leave() {
    this.#wanted = false;
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#rejoinTimer);
    if (this.state === "joined" || this.state === "joining") {
      this.#socket.send([this.#joinRef, this.#socket.makeRef(), this.topic, "phx_leave", {}]);
    }

    this.state = "closed";
    this.#joinRef = null;
    this.#socket._remove(this);
  }

  _socketOpened() {
    clearTimeout(this.#rejoinTimer);
    if (this.#wanted) {
      this.#sendJoin();
    }
  }

  _socketClosed() {
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#rejoinTimer);
    if (this.#wanted && this.state !== "errored") {
      this.#errored({ reason: "socket closed" });
    }
  }

  _handle(joinRef, ref, event, payload) {
    if (event === "phx_reply" && ref !== null && ref === this.#joinRef && this.state === "joining") {
      this.#joinReplied(payload);
      return;
    }

    if (joinRef !== null && joinRef !== this.#joinRef) {
      return; // meant for an earlier join of this topic
    }

    switch (event) {
      case "phx_reply":
        return; // the dashboard pushes nothing but joins and leaves
      case "phx_error":
        if (this.state === "joined" || this.state === "joining") {
          clearTimeout(this.#joinTimer);
          this.#errored(payload);
          this.#scheduleRejoin();
        }

        return;
      case "phx_close":
        // The server ended this channel on purpose; like phoenix.js, do not rejoin.
        this.#wanted = false;
        this.state = "closed";
        return;
    }

    if (this.state !== "joined") {
      return;
    }

    for (const callback of this.#bindings.get(event) ?? []) {
      callback(payload);
    }
  }

  #sendJoin() {
    clearTimeout(this.#joinTimer);
    const ref = this.#socket.makeRef();
    this.#joinRef = ref;
    this.state = "joining";
    const params = typeof this.#params === "function" ? this.#params() : this.#params;
    this.#socket.send([ref, ref, this.topic, "phx_join", params ?? {}]);
    this.#joinTimer = setTimeout(() => this.#joinTimedOut(ref), this.#socket.timeoutMs);
  }

  #joinReplied(payload) {
    clearTimeout(this.#joinTimer);
    if (payload.status === "ok") {
      this.state = "joined";
      this.#rejoinTries = 0;
      for (const callback of this.#joinListeners) {
        callback(payload.response ?? {});
      }

      return;
    }

    this.#errored(payload.response ?? { reason: "join refused" });
    this.#scheduleRejoin();
  }

  #joinTimedOut(ref) {
    if (this.state !== "joining" || this.#joinRef !== ref) {
      return;
    }

    // Tell the server to drop the join it may still be working on, then try again later.
    this.#socket.send([ref, this.#socket.makeRef(), this.topic, "phx_leave", {}]);
    this.#errored({ reason: "join timeout" });
    this.#scheduleRejoin();
  }

  #errored(reason) {
    this.state = "errored";
    for (const callback of this.#errorListeners) {
      callback(reason);
    }
  }

  #scheduleRejoin() {
    clearTimeout(this.#rejoinTimer);
    this.#rejoinTries++;
    this.#rejoinTimer = setTimeout(() => {
      if (this.#wanted && this.#socket.isConnected()) {
        this.#sendJoin();
      }
    }, backoff(REJOIN_STEPS_MS, REJOIN_MAX_MS, this.#rejoinTries));
  }
}
