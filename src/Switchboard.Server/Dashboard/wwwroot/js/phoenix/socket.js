// A small Phoenix Channels V2 client for the dashboard: text frames [join_ref, ref, topic, event, payload].
// The socket heartbeats, reconnects with jittered backoff and, on every (re)open, rejoins each channel that
// is still wanted; channels re-read their join params then, so they can resume from the last seq they saw.

import { backoff, RECONNECT_MAX_MS, RECONNECT_STEPS_MS } from "./backoff.js";
import { Channel } from "./channel.js";

const HEARTBEAT_MS = 30_000;
const PUSH_TIMEOUT_MS = 10_000;

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

  /**
   * @param {string | (() => string)} url absolute ws(s):// URL of /socket/websocket, with vsn=2.0.0; a function is called
   *   for every connection, so the URL can carry a token that changes over time
   */
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
    let conn;
    try {
      conn = new WebSocket(typeof this.#url === "function" ? this.#url() : this.#url);
    } catch (error) {
      // A refused URL (e.g. by a content security policy) is retried like any failed connection.
      this.#closed(1006, String(error?.message ?? error));
      return;
    }

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
