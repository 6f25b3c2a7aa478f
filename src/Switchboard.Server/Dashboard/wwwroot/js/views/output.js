// A session's output streams in the detail panel: each text or JSON stream the session lists (`streams`), read from
// /v1/stream/sessions/{id}/{name} with catch-up reads, then long-polls that wait for the next append. What a tab has
// read, and the offset it read up to, are kept in sessionStorage, so a reload shows the same text at once and goes on
// from that offset: nothing is read twice and nothing is skipped.

import { byTestId, h, setAttr } from "../dom.js";

const KEEP_CHARS = 200_000; // per stream in sessionStorage; older text is cut, the offset still resumes exactly

export class OutputView {
  #api;
  #sessionId = null;
  #followers = new Map(); // name → Follower

  constructor(api) {
    this.#api = api;
  }

  /** Shows the readable streams `session` lists; starts following new ones, stops those of another session. */
  render(session) {
    const section = byTestId("detail-output-section");
    if (!session || session.id !== this.#sessionId) {
      this.stop();
      this.#sessionId = session?.id ?? null;
    }

    const streams = (session?.streams ?? []).filter((s) => readable(s.content_type));
    section.hidden = streams.length === 0;
    for (const stream of streams) {
      if (!this.#followers.has(stream.name)) {
        const follower = new Follower(this.#api, session.id, stream);
        this.#followers.set(stream.name, follower);
        byTestId("detail-outputs").append(follower.element);
        follower.start();
      }
    }
  }

  /** Stops every read (the panel closed or moved to another session). */
  stop() {
    for (const follower of this.#followers.values()) {
      follower.stop();
    }

    this.#followers.clear();
    byTestId("detail-outputs").replaceChildren();
  }
}

function readable(contentType) {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return type.startsWith("text/") || type === "application/json";
}

class Follower {
  #api;
  #key;
  #path;
  #json;
  #abort = new AbortController();
  #state;
  element;
  #pre;

  constructor(api, sessionId, stream) {
    this.#api = api;
    this.#path = `sessions/${encodeURIComponent(sessionId)}/${encodeURIComponent(stream.name)}`;
    this.#key = `switchboard.output.${sessionId}/${stream.name}`;
    this.#json = stream.content_type.split(";")[0].trim().toLowerCase() === "application/json";
    this.#state = load(this.#key);
    this.#pre = h("pre", { class: "output-text", dataset: { testid: "detail-output-text" } }, this.#state.text);
    this.element = h("div", { class: "output", dataset: { testid: "detail-output", stream: stream.name } },
      h("h4", { class: "output-name" }, stream.name), this.#pre);
    setAttr(this.element, "data-offset", this.#state.offset);
    setAttr(this.element, "data-closed", this.#state.closed ? "true" : "false");
  }

  stop() {
    this.#abort.abort();
  }

  async start() {
    let cursor = null;
    let failures = 0;
    while (!this.#abort.signal.aborted && !this.#state.closed) {
      try {
        // Catch up until the tail, then wait there for the next append.
        const response = await this.#api.readStream(this.#path, this.#state.offset,
          this.#state.upToDate ? { live: "long-poll", cursor } : {}, this.#abort.signal);
        if (response.status === 404 || response.status === 410) {
          return; // deleted or expired: nothing more to read
        }

        if (!response.ok && response.status !== 204) {
          throw new Error(`HTTP ${response.status}`);
        }

        const text = response.status === 200 ? this.#decode(await response.text()) : "";
        cursor = response.headers.get("stream-cursor") ?? cursor;
        this.#advance(text, response.headers.get("stream-next-offset"), response.headers.get("stream-up-to-date") === "true",
          response.headers.get("stream-closed") === "true");
        failures = 0;
      } catch (error) {
        if (this.#abort.signal.aborted) {
          return;
        }

        failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** Math.min(failures, 6))));
      }
    }
  }

  #decode(body) {
    if (!this.#json) {
      return body;
    }

    const messages = JSON.parse(body);
    return messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m)) + "\n").join("");
  }

  #advance(text, offset, upToDate, closed) {
    const state = this.#state;
    const cut = state.text.length + text.length > KEEP_CHARS;
    state.text = (state.text + text).slice(-KEEP_CHARS);
    state.offset = offset ?? state.offset;
    state.upToDate = upToDate;
    state.closed = closed;
    save(this.#key, state);
    if (text) {
      const follow = this.#pre.scrollTop + this.#pre.clientHeight >= this.#pre.scrollHeight - 4;
      // New output is appended to the text already shown, so a person selecting earlier output keeps the selection;
      // only a cut at KEEP_CHARS writes the text again.
      const shown = this.#pre.firstChild;
      if (!cut && shown?.nodeType === Node.TEXT_NODE && this.#pre.childNodes.length === 1) {
        shown.appendData(text);
      } else {
        this.#pre.textContent = state.text;
      }
      if (follow) {
        this.#pre.scrollTop = this.#pre.scrollHeight;
      }
    }

    setAttr(this.element, "data-offset", state.offset);
    setAttr(this.element, "data-closed", closed ? "true" : "false");
  }
}

function load(key) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? "null");
    if (saved && typeof saved.offset === "string" && typeof saved.text === "string") {
      return { offset: saved.offset, text: saved.text, upToDate: false, closed: saved.closed === true };
    }
  } catch {
    // A damaged entry reads from the start again.
  }

  return { offset: "-1", text: "", upToDate: false, closed: false };
}

function save(key, state) {
  try {
    sessionStorage.setItem(key, JSON.stringify({ offset: state.offset, text: state.text, closed: state.closed }));
  } catch {
    // Storage full: the panel still follows; a reload reads from the start.
  }
}
