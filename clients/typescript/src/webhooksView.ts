import type {Webhook} from "./alerts.js";
import {createValueView} from "./liveView.js";
import type {Subscriber, WebhooksHandlers} from "./subscriber.js";

/** An immutable picture of the webhook endpoints; a new object after every push (for `useSyncExternalStore`). */
export interface WebhooksViewState {
  /** Every endpoint with its delivery state, as `client.listWebhooks()` lists them (no secrets). */
  readonly webhooks: readonly Webhook[];
  readonly byId: ReadonlyMap<string, Webhook>;
  /** When the server read the list it pushed last (the push's `at`); null before the first. */
  readonly at: string | null;
  /** True once the first list is in. */
  readonly ready: boolean;
}

export interface WebhooksView {
  getState(): WebhooksViewState;
  /** Calls `listener` after every push; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** Resolves once the first list is in. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * The webhook endpoints with their delivery state, kept current by the `webhooks` topic (`subscriber.followWebhooks`):
 * each push is the whole list, so it replaces the state, and after a reconnect the rejoin's push brings the current one.
 * The topic is fleet-wide: a labels-scoped token is refused (`onJoinError` gets `unauthorized`) and the view stays empty.
 */
export function createWebhooksView(options: {subscriber: Subscriber} & WebhooksHandlers): WebhooksView {
  const {subscriber, ...handlers} = options;
  let resolveReady!: () => void;
  const ready = new Promise<void>(r => (resolveReady = r));
  const empty: WebhooksViewState = {webhooks: [], byId: new Map(), at: null, ready: false};
  const view = createValueView(empty, set => subscriber.followWebhooks((webhooks, event) => {
    set({webhooks, byId: new Map(webhooks.map(w => [w.id, w])), at: event.at, ready: true});
    resolveReady();
  }, handlers));
  return {...view, ready};
}
