import {createContext, createElement, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode} from "react";
import {createAlertsView, type AlertsView, type AlertsViewState} from "./alertsView.js";
import type {Alert, AlertSeverity} from "./alerts.js";
import {createLiveView, createSessionView, createSummaryView, type LiveView, type LiveViewState, type ValueView} from "./liveView.js";
import type {ConnectionState, Subscriber} from "./subscriber.js";
import type {Switchboard} from "./switchboard.js";
import type {Labels, Session, SessionState, Summary} from "./types.js";

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
  const states = filter.states ? [...filter.states].sort().join(",") : "";
  return useMemo(() => {
    const all = state?.sessions ?? [];
    if (!states) return all;
    const wanted = new Set(states.split(","));
    return all.filter(s => wanted.has(s.state));
  }, [state, states]);
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
  const severities = filter.severities ? [...filter.severities].sort().join(",") : "";
  return useMemo(() => {
    const all = state?.alerts ?? [];
    if (!severities) return all;
    const wanted = new Set(severities.split(","));
    return all.filter(a => wanted.has(a.severity));
  }, [state, severities]);
}

/** The live socket's state: `connecting`, `open`, `reconnecting` or `closed`. */
export function useConnectionState(): ConnectionState {
  const {subscriber} = useSwitchboard();
  return useSyncExternalStore(
    listener => subscriber.onStateChange(listener),
    () => subscriber.state,
  );
}
