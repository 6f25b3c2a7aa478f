import {SwitchboardProblem, SwitchboardTransportError} from "./errors.js";
import type {ProblemDetails} from "./types.js";

export interface ClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5080` (may include a path prefix). */
  url: string;
  /** An API key, sent as `Authorization: Bearer …` when the server has auth on. */
  apiKey?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

/**
 * The HTTP under `SwitchboardClient`: one JSON request, or one Durable Streams write, with the key; the answer read as
 * JSON, a {@link SwitchboardProblem} or a {@link SwitchboardTransportError}.
 */
export class HttpTransport {
  readonly url: string;
  readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions | string) {
    const opts = typeof options === "string" ? {url: options} : options;
    this.url = opts.url.replace(/\/+$/, "");
    this.apiKey = opts.apiKey;
    this.fetchImpl = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /**
   * Sends one Durable Streams write (a session stream's create or append) with its content type and headers. Retried
   * only when the request never reached the server, or with the idempotent producer's headers (a retry is recognised).
   */
  async streamRequest(method: string, path: string, body: Uint8Array | undefined, contentType: string, extra: Record<string, string>): Promise<void> {
    const headers: Record<string, string> = {"content-type": contentType, ...extra};
    if (this.apiKey) headers["authorization"] = `Bearer ${this.apiKey}`;
    const retryable = method === "PUT" || "producer-id" in extra;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(this.url + path, {method, headers, body: body as BodyInit | undefined});
      } catch (e) {
        if (retryable && attempt < 5) {
          await new Promise(r => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        throw new SwitchboardTransportError(`${method} ${path}: ${(e as Error)?.message ?? e}`, {cause: e});
      }
      const text = await response.text();
      if (response.ok) return;
      if ((response.status === 503 || response.status === 429) && attempt < 5) {
        await new Promise(r => setTimeout(r, 100 * 2 ** attempt));
        continue;
      }
      throw failure(method, path, response, text);
    }
  }

  /** Sends one request; resolves with the parsed JSON body, rejects with a problem or a transport error. */
  async request<T>(method: string, path: string, body?: unknown, query?: Array<[string, string | number | boolean | null | undefined]>): Promise<T> {
    const search = new URLSearchParams();
    for (const [k, v] of query ?? []) if (v !== undefined && v !== null && v !== "") search.append(k, String(v));
    const qs = search.toString();
    const headers: Record<string, string> = {accept: "application/json"};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.apiKey) headers["authorization"] = `Bearer ${this.apiKey}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.url + path + (qs ? `?${qs}` : ""), {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new SwitchboardTransportError(`${method} ${path}: ${(e as Error)?.message ?? e}`, {cause: e});
    }
    const text = await response.text();
    if (!response.ok) throw failure(method, path, response, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new SwitchboardTransportError(`${method} ${path}: the answer is not JSON`, {cause: e});
    }
  }
}

/** The error an answer with an error status stands for: its problem, or a transport error when it has none. */
function failure(method: string, path: string, response: Response, text: string): Error {
  let problem: (ProblemDetails & Record<string, unknown>) | undefined;
  try {
    problem = JSON.parse(text);
  } catch {
    // Not JSON: reported below.
  }
  if (!problem || typeof problem !== "object" || typeof problem.code !== "string") {
    return new SwitchboardTransportError(`${method} ${path}: HTTP ${response.status} without a problem body`);
  }
  return new SwitchboardProblem({...problem, status: problem.status ?? response.status});
}
