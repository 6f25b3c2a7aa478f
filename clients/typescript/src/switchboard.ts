import {SwitchboardClient} from "./client.js";
import {Subscriber} from "./subscriber.js";

export interface SwitchboardOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5080`. */
  url: string;
  /** API key for HTTP calls (auth on). */
  apiKey?: string;
  /** Subscriber token for the live socket (auth on). */
  token?: string | (() => string | undefined);
  /** WebSocket constructor for Node.js 20 (`ws`); browsers need none. */
  WebSocket?: unknown;
  fetch?: typeof fetch;
  backoff?: (tries: number) => number;
}

/** An HTTP client and a live subscriber for the same server: what the React hooks and the TanStack adapter use. */
export interface Switchboard {
  client: SwitchboardClient;
  subscriber: Subscriber;
  close(): void;
}

export function createSwitchboard(options: SwitchboardOptions): Switchboard {
  const client = new SwitchboardClient({url: options.url, apiKey: options.apiKey, fetch: options.fetch});
  const subscriber = new Subscriber({url: options.url, token: options.token, WebSocket: options.WebSocket, backoff: options.backoff});
  return {client, subscriber, close: () => subscriber.disconnect()};
}
