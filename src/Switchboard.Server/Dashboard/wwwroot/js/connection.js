// The connection's state as the page shows it, and the HTTP polling fallback.
//
// "Connected" means the `sessions` channel is joined, not just that the socket is open. While it is not,
// the page polls the list and summary every `pollMs` (10 s) — and never while it is connected. At load the
// first poll waits `loadGraceMs` (3 s): a page that joins within it never polls. A drop
// reads "Reconnecting"; after OFFLINE_AFTER_MS without success, or when the browser reports no network,
// it reads "Offline". Each return to connected after a drop counts as a reconnect.

import { byTestId, setAttr, setText } from "./dom.js";

export const DEFAULT_POLL_MS = 10_000;
const OFFLINE_AFTER_MS = 10_000;
/** A page whose socket connects within this long after load never polls. */
export const DEFAULT_LOAD_GRACE_MS = 3000;
/** After a drop, the first poll comes soon: the socket may be gone for a while. */
const FIRST_POLL_AFTER_DROP_MS = 1000;

export class ConnectionMonitor {
  #poll;
  #pollMs;
  #state = "connecting";
  #reconnects = 0;
  #everConnected = false;
  #pollTimer = null;
  #offlineTimer = null;
  #polling = false;
  #lastPoll = null;

  /** @param {() => Promise<void>} poll fetches list and summary */
  constructor({ poll, pollMs = DEFAULT_POLL_MS, loadGraceMs = DEFAULT_LOAD_GRACE_MS }) {
    this.#poll = poll;
    this.#pollMs = pollMs;
    // The grace at load does not shrink with a short test interval: a page that connects in time never polls.
    this.#startFallback(loadGraceMs);
    addEventListener("offline", () => this.#render());
    addEventListener("online", () => this.#render());
    this.#render();
  }

  get state() { return this.#state; }

  get pollMs() { return this.#pollMs; }

  /** The `sessions` channel joined. */
  connected() {
    if (this.#state === "connected") {
      return;
    }

    if (this.#everConnected) {
      this.#reconnects++;
    }

    this.#everConnected = true;
    this.#state = "connected";
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#offlineTimer);
    this.#pollTimer = null;
    this.#render();
  }

  /** The socket closed or the channel errored. */
  lost() {
    if (this.#state !== "connected") {
      return;
    }

    this.#state = "reconnecting";
    this.#startFallback(Math.min(FIRST_POLL_AFTER_DROP_MS, this.#pollMs));
    this.#render();
  }

  #startFallback(firstDelay) {
    clearTimeout(this.#offlineTimer);
    this.#offlineTimer = setTimeout(() => {
      if (this.#state !== "connected") {
        this.#state = "offline";
        this.#render();
      }
    }, OFFLINE_AFTER_MS);
    this.#schedulePoll(firstDelay);
  }

  #schedulePoll(delay) {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => this.#pollOnce(), delay);
  }

  async #pollOnce() {
    if (this.#state === "connected" || this.#polling) {
      return;
    }

    this.#polling = true;
    try {
      await this.#poll();
      this.#lastPoll = { ok: true, at: Date.now() };
    } catch {
      this.#lastPoll = { ok: false, at: Date.now() };
    } finally {
      this.#polling = false;
    }

    // Polling runs only while disconnected; the join that ends it cancels the timer.
    if (this.#state !== "connected") {
      this.#schedulePoll(this.#pollMs);
    }

    this.#render();
  }

  #render() {
    const el = byTestId("connection");
    const offline = this.#state === "offline" || (this.#state !== "connected" && navigator.onLine === false);
    const shown = offline ? "offline" : this.#state;
    setAttr(el, "data-state", shown);
    setText(byTestId("connection-label"), {
      connecting: "Connecting…",
      connected: "Live",
      reconnecting: "Reconnecting…",
      offline: "Offline",
    }[shown]);

    const seconds = Math.round(this.#pollMs / 1000);
    let detail = "";
    if (shown !== "connected" && shown !== "connecting") {
      detail = `polling every ${seconds} s`;
      if (this.#lastPoll && !this.#lastPoll.ok) {
        detail += " · server unreachable";
      }
    }

    setText(byTestId("connection-detail"), detail);
    // Offline with no fresh poll: what the page shows may be out of date, so it is dimmed.
    const stale = shown === "offline" && !(this.#lastPoll?.ok && Date.now() - this.#lastPoll.at < 2 * this.#pollMs);
    setAttr(document.body, "data-stale", stale ? "true" : null);
    const count = byTestId("reconnect-count");
    setAttr(count, "data-count", this.#reconnects);
    setText(count, this.#reconnects === 0 ? "" : `${this.#reconnects} ${this.#reconnects === 1 ? "reconnect" : "reconnects"}`);
    count.hidden = this.#reconnects === 0;
  }
}
