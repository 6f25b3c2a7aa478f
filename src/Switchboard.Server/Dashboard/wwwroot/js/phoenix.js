// A small Phoenix Channels V2 client for the dashboard: text frames [join_ref, ref, topic, event, payload].
// It heartbeats, reconnects with jittered backoff, rejoins every wanted channel on reconnect (re-reading
// the join params, so a channel can resume from the last seq it saw) and drops stale frames by join_ref.

const HEARTBEAT_MS = 30_000;
const PUSH_TIMEOUT_MS = 10_000;
const RECONNECT_STEPS_MS = [10, 50, 100, 150, 200, 250, 500, 1000, 2000];
const RECONNECT_MAX_MS = 5000;
const REJOIN_STEPS_MS = [1000, 2000, 5000];
const REJOIN_MAX_MS = 10_000;

/** The delay before attempt `tries` (1-based), ±20% so many pages do not come back in lockstep. */
export function backoff(steps, max, tries) {
  const base = steps[tries - 1] ?? max;
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class Socket {
  #url;
  #heartbeatMs;
  #timeoutMs;
  #conn = null;
  #ref = 0;
  #channels = new Set();
  #listeners = { open: [], close: [] };
  #heartbeatTimer = null;
  #pendingHeartbeat = null;
  #reconnectTimer = null;
  #reconnectTries = 0;
  #wanted = false;

  /** @param {string} url absolute ws(s):// URL of /socket/websocket, with vsn=2.0.0 */
  constructor(url, { heartbeatMs = HEARTBEAT_MS, timeoutMs = PUSH_TIMEOUT_MS } = {}) {
    this.#url = url;
    this.#heartbeatMs = heartbeatMs;
    this.#timeoutMs = timeoutMs;
  }

  get timeoutMs() { return this.#timeoutMs; }

  isConnected() { return this.#conn?.readyState === WebSocket.OPEN; }

  onOpen(callback) { this.#listeners.open.push(callback); }

  /** Called with {code, reason, willReconnect} whenever an open or opening connection ends. */
  onClose(callback) { this.#listeners.close.push(callback); }

  connect() {
    this.#wanted = true;
    if (!this.#conn) {
      this.#open();
    }
  }

  /** Skips any pending backoff and tries again now (e.g. when the browser comes back online). */
  reconnectNow() {
    if (!this.#wanted || this.#conn) {
      return;
    }

    clearTimeout(this.#reconnectTimer);
    this.#open();
  }

  disconnect() {
    this.#wanted = false;
    clearTimeout(this.#reconnectTimer);
    this.#drop(1000, "client disconnect");
  }

  channel(topic, params = {}) {
    const channel = new Channel(this, topic, params);
    this.#channels.add(channel);
    return channel;
  }

  makeRef() { return String(++this.#ref); }

  /** Sends a frame if the socket is open; returns whether it was sent. */
  send(frame) {
    if (!this.isConnected()) {
      return false;
    }

    this.#conn.send(JSON.stringify(frame));
    return true;
  }

  _remove(channel) { this.#channels.delete(channel); }

  #open() {
    const conn = new WebSocket(this.#url);
    this.#conn = conn;
    conn.onopen = () => conn === this.#conn && this.#opened();
    conn.onmessage = (e) => conn === this.#conn && this.#received(e.data);
    conn.onclose = (e) => conn === this.#conn && this.#closed(e.code, e.reason);
    // An error is always followed by close, which does the work.
    conn.onerror = () => {};
  }

  #opened() {
    this.#reconnectTries = 0;
    this.#pendingHeartbeat = null;
    this.#scheduleHeartbeat();
    for (const callback of this.#listeners.open) {
      callback();
    }

    for (const channel of this.#channels) {
      channel._socketOpened();
    }
  }

  #received(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // not a V2 text frame; nothing to route
    }

    if (!Array.isArray(frame) || frame.length < 5) {
      return;
    }

    const [joinRef, ref, topic, event, payload] = frame;
    if (topic === "phoenix") {
      if (event === "phx_reply" && ref === this.#pendingHeartbeat) {
        this.#pendingHeartbeat = null;
      }

      return;
    }

    for (const channel of this.#channels) {
      if (channel.topic === topic) {
        channel._handle(joinRef, ref, event, payload ?? {});
      }
    }
  }

  #scheduleHeartbeat() {
    clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = setTimeout(() => this.#heartbeat(), this.#heartbeatMs);
  }

  #heartbeat() {
    if (!this.isConnected()) {
      return;
    }

    if (this.#pendingHeartbeat !== null) {
      // The last heartbeat went unanswered for a whole interval: the connection is dead even if TCP says otherwise.
      this.#drop(1000, "heartbeat timeout");
      return;
    }

    this.#pendingHeartbeat = this.makeRef();
    this.send([null, this.#pendingHeartbeat, "phoenix", "heartbeat", {}]);
    this.#scheduleHeartbeat();
  }

  /** Closes the current connection without waiting for the close handshake, then handles it as a close. */
  #drop(code, reason) {
    const conn = this.#conn;
    if (!conn) {
      return;
    }

    conn.onopen = conn.onmessage = conn.onclose = null;
    try {
      conn.close(code, reason);
    } catch {
      // already closing
    }

    this.#closed(code, reason);
  }

  #closed(code, reason) {
    this.#conn = null;
    clearTimeout(this.#heartbeatTimer);
    this.#pendingHeartbeat = null;
    for (const channel of this.#channels) {
      channel._socketClosed();
    }

    const willReconnect = this.#wanted;
    if (willReconnect) {
      this.#reconnectTries++;
      this.#reconnectTimer = setTimeout(() => this.#open(),
        backoff(RECONNECT_STEPS_MS, RECONNECT_MAX_MS, this.#reconnectTries));
    }

    for (const callback of this.#listeners.close) {
      callback({ code, reason, willReconnect });
    }
  }
}

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
