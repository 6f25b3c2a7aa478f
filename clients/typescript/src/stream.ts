import type {SwitchboardClient} from "./client.js";

const encoder = new TextEncoder();

/**
 * One durable stream of a session (`/v1/stream/sessions/{id}/{name}`), written by its producer. Appends made while
 * another is on its way go in the next request, as the handle coalesces updates. Each request is an idempotent
 * producer's (`Producer-Id`, `-Epoch`, `-Seq`), so a retry after a lost answer is recognised and never appended twice;
 * after a failure a new epoch starts, so a later append cannot be taken for that retry. An append's promise resolves
 * once its bytes are durable on the server.
 */
export class SessionStream {
  readonly name: string;
  readonly contentType: string;
  private readonly client: SwitchboardClient;
  private readonly path: string;
  private readonly json: boolean;
  private readonly producer = `sdk-${Array.from(crypto.getRandomValues(new Uint8Array(8)), b => b.toString(16).padStart(2, "0")).join("")}`;
  private pending: Uint8Array[] = [];
  private waiters: Array<{resolve: () => void; reject: (e: unknown) => void}> = [];
  private sending = false;
  private created = false;
  private epoch = 0;
  private seq = 0;

  constructor(client: SwitchboardClient, sessionId: string, name: string, contentType = "text/plain") {
    this.client = client;
    this.name = name;
    this.contentType = contentType;
    this.path = `/v1/stream/sessions/${encodeURIComponent(sessionId)}/${encodeURIComponent(name)}`;
    this.json = contentType.split(";")[0].trim().toLowerCase() === "application/json";
  }

  /** Appends text (UTF-8) or bytes; on a JSON stream, one message's JSON text. */
  append(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push(typeof data === "string" ? encoder.encode(data) : data);
      this.waiters.push({resolve, reject});
      if (!this.sending) {
        this.sending = true;
        void this.loop();
      }
    });
  }

  /** Appends one message to a JSON stream. */
  appendJson(message: unknown): Promise<void> {
    return this.append(JSON.stringify(message));
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0) {
      const chunks = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.send(this.body(chunks));
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.sending = false;
  }

  private async send(body: Uint8Array): Promise<void> {
    if (!this.created) {
      // A create of a stream that exists with the same content type answers 200, so a restarted producer goes on.
      await this.client.streamRequest("PUT", this.path, undefined, this.contentType, {});
      this.created = true;
    }
    const headers = {"producer-id": this.producer, "producer-epoch": String(this.epoch), "producer-seq": String(this.seq)};
    try {
      await this.client.streamRequest("POST", this.path, body, this.contentType, headers);
      this.seq++;
    } catch (e) {
      this.epoch++;
      this.seq = 0;
      throw e;
    }
  }

  /** The bytes in order, or on a JSON stream an array of the messages (the server splits it back, arrays kept whole). */
  private body(chunks: Uint8Array[]): Uint8Array {
    const parts = this.json ? [encoder.encode("["), ...chunks.flatMap((c, i) => (i > 0 ? [encoder.encode(","), c] : [c])), encoder.encode("]")] : chunks;
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
