// Auth for a server that has it on. The page finds out by asking GET /api/auth without a key: 401 means keys are
// required. It then asks for a key once, keeps it in sessionStorage (this tab only, gone when the tab closes), sends it
// as a Bearer on every API call, and mints a short-lived subscriber token (POST /api/tokens) for its socket, because a
// browser cannot put headers on a WebSocket: phoenix.js offers it as the subprotocol "base64url.bearer.phx.<token>"
// (its `authToken` option), so it never appears in a URL. The token is renewed before it expires, over the open socket
// ("access_token" on topic "phoenix"), so the connection never drops for it.

import { byTestId, setText } from "./dom.js";

const KEY_ITEM = "switchboard.api-key";
const TOPICS = ["sessions", "summary", "session:*", "usage", "alerts", "commands", "approvals", "webhooks"];
/** Renew at three quarters of the token's life (and at least 2 s before it ends); retry a failed renewal this soon. */
const RENEW_AT = 0.75;
const MIN_MARGIN_MS = 2000;
const RETRY_MS = 5000;

export class Auth {
  #root;
  #enabled = false;
  #token = null;
  #renewTimer = null;
  #socket = null;
  #ready;
  #resolveReady;
  #prompting = null;
  #scope = null;

  /** @param {URL} root the URL the dashboard is served at */
  constructor(root) {
    this.#root = root;
    this.#ready = new Promise((resolve) => { this.#resolveReady = resolve; });
  }

  /** Resolves once the page knows whether it needs a key and has one. */
  get ready() { return this.#ready; }

  get enabled() { return this.#enabled; }

  /** The key may steer nothing (auth on, a `:read` or `:agent` key): the page offers no write controls. */
  get readOnly() { return this.#enabled && this.#scope === "read"; }

  /** The subscriber token for the socket, or null (auth off, or not minted yet). */
  get token() { return this.#token; }

  /** Headers for an API call. */
  headers() {
    const key = this.#enabled ? sessionStorage.getItem(KEY_ITEM) : null;
    return key ? { authorization: `Bearer ${key}` } : {};
  }

  /** Sends renewed tokens over this (phoenix.js) socket while it is open. */
  attach(socket) {
    this.#socket = socket;
    socket.onClose(({ code }) => {
      // 1008: the token ran out before a renewal landed (e.g. the tab slept); get a fresh one for the reconnect.
      if (code === 1008 && this.#enabled) {
        this.#renew();
      }
    });
  }

  async start() {
    let probe;
    while (!probe) {
      try {
        probe = await this.#fetch("api/auth", {});
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS)); // the server is not up yet
      }
    }

    if (probe.status !== 401) {
      this.#resolveReady();
      return;
    }

    this.#enabled = true;
    await this.#obtainKey(null);
    this.#resolveReady();
    await this.#renew();
  }

  /** An API call was refused with 401: the key is no longer good (e.g. rotated on the server). Ask again. */
  async unauthorized() {
    if (!this.#enabled) {
      return;
    }

    sessionStorage.removeItem(KEY_ITEM);
    await this.#obtainKey("The server no longer accepts that key. Enter a current one.");
    await this.#renew();
  }

  async #obtainKey(message) {
    if (this.#prompting) {
      return this.#prompting;
    }

    this.#prompting = (async () => {
      let key = sessionStorage.getItem(KEY_ITEM);
      let error = message;
      while (true) {
        if (!key) {
          key = await this.#prompt(error);
        }

        const check = await this.#fetch("api/auth", { authorization: `Bearer ${key}` });
        if (check.ok) {
          const auth = await check.json().catch(() => null);
          // An agent key reports but steers nothing (no answers, commands or pause): the page offers it no controls, as to a read key.
          this.#scope = auth?.role === "agent" ? "read" : auth?.scope ?? null;
          this.#showScope();
          sessionStorage.setItem(KEY_ITEM, key);
          this.#hidePrompt();
          return;
        }

        sessionStorage.removeItem(KEY_ITEM);
        key = null;
        error = check.status === 401 ? "That key was not accepted. Check it and try again." : `The server answered ${check.status}. Try again.`;
      }
    })();
    try {
      await this.#prompting;
    } finally {
      this.#prompting = null;
    }
  }

  #showScope() {
    document.body.dataset.readOnly = String(this.readOnly);
    byTestId("read-only").hidden = !this.readOnly;
  }

  /**
   * Mints a token and schedules the next renewal. Any key may (a read key gets a token that, like the key, only reads).
   * Should minting be refused all the same (a server that predates that), the page polls instead of trying the socket.
   */
  async #renew() {
    clearTimeout(this.#renewTimer);
    let response;
    try {
      response = await this.#fetch("api/tokens", { ...this.headers(), "content-type": "application/json" }, "POST", JSON.stringify({ topics: TOPICS }));
    } catch {
      this.#renewTimer = setTimeout(() => this.#renew(), RETRY_MS);
      return;
    }

    if (response.status === 401) {
      await this.unauthorized();
      return;
    }

    if (!response.ok) {
      // Refused (e.g. 403 from an older server for a read key): no socket without a token; the polling fallback
      // still shows the fleet.
      this.#token = null;
      return;
    }

    const minted = await response.json();
    this.#token = minted.token;
    const lifeMs = Math.max(1, minted.expires_in) * 1000;
    this.#renewTimer = setTimeout(() => this.#renew(), Math.max(500, Math.min(lifeMs * RENEW_AT, lifeMs - MIN_MARGIN_MS)));
    // Only over an open socket: a closed one takes the fresh token from `authToken` when it reconnects.
    if (this.#socket?.isConnected()) {
      this.#socket.push({ topic: "phoenix", event: "access_token", payload: { token: minted.token }, ref: this.#socket.makeRef() });
    }
  }

  #fetch(path, headers, method = "GET", body = undefined) {
    return fetch(new URL(path, this.#root), { method, body, headers: { accept: "application/json", ...headers }, cache: "no-store" });
  }

  #prompt(error) {
    const overlay = byTestId("auth");
    const form = byTestId("auth-form");
    const input = byTestId("auth-key");
    setText(byTestId("auth-error"), error ?? "");
    overlay.hidden = false;
    input.value = "";
    input.focus();
    return new Promise((resolve) => {
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        setText(byTestId("auth-error"), "Checking…");
        resolve(input.value.trim());
      }, { once: true });
    });
  }

  #hidePrompt() {
    byTestId("auth").hidden = true;
    setText(byTestId("auth-error"), "");
  }
}
