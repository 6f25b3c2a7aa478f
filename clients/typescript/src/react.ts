import {createContext, createElement, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode} from "react";
import {createAlertsView, type AlertsView, type AlertsViewState} from "./alertsView.js";
import type {Alert, AlertSeverity, Webhook, WebhookState} from "./alerts.js";
import {createLiveView, createSessionView, createSummaryView, type LiveView, type LiveViewState, type ValueView} from "./liveView.js";
import type {ConnectionState, Subscriber} from "./subscriber.js";
import type {Switchboard} from "./switchboard.js";
import type {Labels, Session, SessionState, Summary} from "./types.js";
import {createWebhooksView, type WebhooksView, type WebhooksViewState} from "./webhooksView.js";

const SwitchboardContext = createContext<Switchboard | null>(null);

/** Makes a {@link Switchboard} (from `createSwitchboard`) available to the hooks below. */
export function SwitchboardProvider(props: {value: Switchboard; children?: ReactNode}) {
  return createElement(SwitchboardContext.Provider, {value: props.value}, props.children);
}

export function useSwitchboard(): Switchboard {
  const value = useContext(SwitchboardContext);
  if (!value) throw new Error("Switchboard hooks need a <SwitchboardProvider value={createSwitchboard(…)}> above them.");
  return value;
}

// Views are shared by every component that asks for the same one, and closed when the last one unmounts.
interface Shared {
  view: unknown;
  refs: number;
  close(): void;
}
const registries = new WeakMap<Subscriber, Map<string, Shared>>();

function acquire<V extends {close(): void}>(subscriber: Subscriber, key: string, create: () => V): V {
  let registry = registries.get(subscriber);
  if (!registry) registries.set(subscriber, (registry = new Map()));
  let entry = registry.get(key);
  if (!entry) {
    const view = create();
    entry = {view, refs: 0, close: () => view.close()};
    registry.set(key, entry);
  }
  entry.refs++;
  return entry.view as V;
}

function release(subscriber: Subscriber, key: string): void {
  const registry = registries.get(subscriber);
  const entry = registry?.get(key);
  if (!registry || !entry) return;
  if (--entry.refs === 0) {
    registry.delete(key);
    entry.close();
  }
}

/** Holds a shared view for as long as the component is mounted; null during the first render. */
function useShared<V extends {close(): void}>(key: string, create: (sb: Switchboard) => V): V | null {
  const sb = useSwitchboard();
  const [view, setView] = useState<V | null>(null);
  useEffect(() => {
    const v = acquire(sb.subscriber, key, () => create(sb));
    setView(v);
    return () => {
      setView(null);
      release(sb.subscriber, key);
    };
    // `create` is derived from `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sb, key]);
  return view;
}

const noop = () => () => undefined;

const none: readonly never[] = [];

/** `all`, or those whose `field` is one of `wanted`; the same array until either changes. */
function useOneOf<T>(all: readonly T[], wanted: readonly string[] | undefined, field: (item: T) => string): readonly T[] {
  const key = wanted ? [...wanted].sort().join(",") : "";
  return useMemo(() => {
    if (!key) return all;
    const set = new Set(key.split(","));
    return all.filter(item => set.has(field(item)));
    // `field` is a fixed accessor at each call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [all, key]);
}

function stableKey(labels: Labels | undefined): string {
  if (!labels) return "";
  return JSON.stringify(Object.keys(labels).sort().map(k => [k, labels[k]]));
}

/**
 * The active sessions carrying all `labels` and in one of `states` (all states when omitted), newest first, kept
 * current by the live stream. Empty until the first snapshot is in.
 */
export function useSessions(filter: {labels?: Labels; states?: readonly SessionState[]} = {}): readonly Session[] {
  const key = "sessions:" + stableKey(filter.labels);
  const labels = filter.labels;
  const view = useShared<LiveView>(key, sb => createLiveView({subscriber: sb.subscriber, client: sb.client, labels}));
  const state = useSyncExternalStore<LiveViewState | null>(view ? view.subscribe : noop, () => (view ? view.getState() : null));
  return useOneOf(state?.sessions ?? none, filter.states, s => s.state);
}

/** One session, terminated ones included: undefined while loading, null if it does not exist (yet). */
export function useSession(id: string): Session | null | undefined {
  const view = useShared<ValueView<Session | null | undefined>>("session:" + id, sb => createSessionView(sb.subscriber, id));
  return useSyncExternalStore(view ? view.subscribe : noop, () => (view ? view.getState() : undefined));
}

/** The fleet summary from the `summary` topic: null until the first join. */
export function useSummary(): Summary | null {
  const view = useShared<ValueView<Summary | null>>("summary", sb => createSummaryView(sb.subscriber));
  return useSyncExternalStore(view ? view.subscribe : noop, () => (view ? view.getState() : null));
}

/**
 * The open alerts (all, or those of `severities`), newest first, kept current by the `alerts` topic: raised,
 * acknowledged (with who and why) and resolved as it happens. Empty until the first join.
 */
export function useAlerts(filter: {severities?: readonly AlertSeverity[]} = {}): readonly Alert[] {
  const view = useShared<AlertsView>("alerts", sb => createAlertsView({subscriber: sb.subscriber}));
  const state = useSyncExternalStore<AlertsViewState | null>(view ? view.subscribe : noop, () => (view ? view.getState() : null));
  return useOneOf(state?.alerts ?? none, filter.severities, a => a.severity);
}

/**
 * The webhook endpoints (all, or those in one of `states`) with their delivery state (`cursor`, `lag`, `attempts`,
 * `last_error`…), as `client.listWebhooks()` lists them, kept current by the `webhooks` topic. Empty until the first
 * list is in, and for a labels-scoped token (the topic is fleet-wide).
 */
export function useWebhooks(filter: {states?: readonly WebhookState[]} = {}): readonly Webhook[] {
  const view = useShared<WebhooksView>("webhooks", sb => createWebhooksView({subscriber: sb.subscriber}));
  const state = useSyncExternalStore<WebhooksViewState | null>(view ? view.subscribe : noop, () => (view ? view.getState() : null));
  return useOneOf(state?.webhooks ?? none, filter.states, w => w.state);
}

/** The live socket's state: `connecting`, `open`, `reconnecting` or `closed`. */
export function useConnectionState(): ConnectionState {
  const {subscriber} = useSwitchboard();
  return useSyncExternalStore(
    listener => subscriber.onStateChange(listener),
    () => subscriber.state,
  );
}
