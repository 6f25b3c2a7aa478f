// The HTTP API as the dashboard uses it. Every path is relative to the app root, so a prefix just works.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  #root;
  #auth;

  /**
   * @param {URL} root the URL the dashboard is served at (ends with "/")
   * @param {import("./auth.js").Auth} auth supplies the API key header once it is known
   */
  constructor(root, auth) {
    this.#root = root;
    this.#auth = auth;
  }

  /**
   * The Phoenix socket endpoint on the same origin and prefix as the page (phoenix.js appends /websocket and vsn).
   * The subscriber token never goes into this URL: phoenix.js sends it as a WebSocket subprotocol (`authToken`).
   */
  socketEndpoint() {
    const url = new URL("socket", this.#root);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.toString();
  }

  /** GET /api/sessions. query: {states?: string[], active?: bool, labels?: [k,v][], limit?, cursor?} */
  listSessions({ states, active, labels, limit, cursor } = {}) {
    const url = new URL("api/sessions", this.#root);
    if (states?.length) url.searchParams.set("state", states.join(","));
    if (active !== undefined) url.searchParams.set("active", String(active));
    for (const [key, value] of labels ?? []) url.searchParams.append("label", `${key}=${value}`);
    if (limit) url.searchParams.set("limit", String(limit));
    if (cursor) url.searchParams.set("cursor", cursor);
    return this.#json(url);
  }

  summary() {
    return this.#json(new URL("api/summary", this.#root));
  }

  /** One session's events, oldest first (up to the API's page limit). */
  sessionEvents(id, limit = 1000) {
    const url = new URL("api/events", this.#root);
    url.searchParams.set("session_id", id);
    url.searchParams.set("since", "0");
    url.searchParams.set("limit", String(limit));
    return this.#json(url);
  }

  /** POST /api/sessions/{id}/commands: cancel, pause, resume or message (with its text) to the session's producer. */
  issueCommand(id, type, text) {
    return this.#json(new URL(`api/sessions/${encodeURIComponent(id)}/commands`, this.#root), {
      method: "POST", body: JSON.stringify(text ? { type, text } : { type }), contentType: "application/json",
    });
  }

  /** GET /api/sessions/{id}/commands: the session's commands in the order issued. */
  /** GET /api/sessions/{id}/approvals: the session's approvals (docs/approvals.md). */
  listApprovals(id) {
    return this.#json(new URL(`api/sessions/${encodeURIComponent(id)}/approvals?limit=100`, this.#root));
  }

  listCommands(id) {
    return this.#json(new URL(`api/sessions/${encodeURIComponent(id)}/commands?limit=1000`, this.#root));
  }

  /** POST /api/sessions/{id}/terminate, with an optional reason; `cascade` ends every active descendant too. */
  terminateSession(id, reason, cascade = false) {
    return this.#json(new URL(`api/sessions/${encodeURIComponent(id)}/terminate`, this.#root), {
      method: "POST", body: JSON.stringify({ ...(reason ? { reason } : {}), ...(cascade ? { cascade: true } : {}) }), contentType: "application/json",
    });
  }

  /** GET /api/sessions/{id}/tree: one page of the subtree in tree order, as of `as_of_seq`. */
  sessionTree(id, cursor, limit = 1000) {
    const url = new URL(`api/sessions/${encodeURIComponent(id)}/tree`, this.#root);
    url.searchParams.set("limit", String(limit));
    if (cursor) url.searchParams.set("cursor", cursor);
    return this.#json(url);
  }

  /**
   * GET /v1/stream/{path} from `offset`: a catch-up read, or with `live: "long-poll"` one that waits for the next append.
   * Returns the fetch Response (the protocol's headers carry the next offset); `signal` aborts it.
   */
  async readStream(path, offset, { live, cursor } = {}, signal) {
    await this.#auth?.ready;
    const url = new URL(`v1/stream/${path}`, this.#root);
    url.searchParams.set("offset", offset);
    if (live) url.searchParams.set("live", live);
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetch(url, { headers: { ...this.#auth?.headers() }, cache: "no-store", signal });
    if (response.status === 401) {
      this.#auth?.unauthorized();
    }

    return response;
  }

  setFleetPaused(paused) {
    return this.#json(new URL(paused ? "api/fleet/pause" : "api/fleet/resume", this.#root), { method: "POST" });
  }

  async #json(url, { contentType, ...init } = {}) {
    await this.#auth?.ready;
    const headers = { accept: "application/json", ...(contentType ? { "content-type": contentType } : {}), ...this.#auth?.headers() };
    const response = await fetch(url, { ...init, headers, cache: "no-store" });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401) {
        this.#auth?.unauthorized();
      }

      throw new ApiError(response.status, body);
    }

    return body;
  }
}
