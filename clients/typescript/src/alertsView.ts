import {ALERT_EVENT_TYPES, type Alert, type AlertEvent} from "./alerts.js";
import type {SnapshotReset, Subscriber, Subscription} from "./subscriber.js";

/** An immutable picture of the open alerts; a new object after every change (for `useSyncExternalStore`). */
export interface AlertsViewState {
  /** The open alerts, newest first (as `client.listAlerts({state: "open"})` lists them). */
  readonly alerts: readonly Alert[];
  readonly byId: ReadonlyMap<string, Alert>;
  /** The log position the view reflects, and its epoch. */
  readonly seq: number | null;
  readonly epoch: string | null;
  /** True once the first join's open alerts are in. */
  readonly ready: boolean;
  /** How many times the view was replaced by a snapshot (1 after the first join; more only when a resume fell back). */
  readonly resets: number;
}

export interface AlertsView {
  getState(): AlertsViewState;
  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
  /** Calls `listener` after each alert event is applied (to raise a toast, say); replays after a reconnect included. */
  onEvent(listener: (event: AlertEvent) => void): () => void;
  /** Resolves once the first join's open alerts are in. */
  readonly ready: Promise<void>;
  close(): void;
}

const isAlertEvent = (event: {type: string}): event is AlertEvent => (ALERT_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The open alerts, kept current from the `alerts` topic: the join reply's `alerts`, then each `alert_raised`,
 * `alert_acknowledged` (the alert, now with who and why) and `alert_resolved` (it leaves). The subscription resumes by
 * `seq` after a reconnect (no gap, no duplicate); a resume that cannot be replayed replaces the list with the snapshot.
 * A labels-scoped subscriber token cannot join `alerts` (alerting is fleet-wide).
 */
export function createAlertsView(options: {subscriber: Subscriber}): AlertsView {
  let byId = new Map<string, Alert>();
  let position: {seq: number; epoch: string} | null = null;
  let resets = 0;
  let state: AlertsViewState | null = null;
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(event: AlertEvent) => void>();
  let resolveReady!: () => void;
  const ready = new Promise<void>(r => (resolveReady = r));

  const changed = () => {
    state = null;
    for (const l of [...listeners]) l();
  };

  const subscription: Subscription = options.subscriber.subscribe("alerts", {
    onReset(snapshot: SnapshotReset) {
      byId = new Map((snapshot.alerts ?? []).map(a => [a.id, a]));
      position = {seq: snapshot.seq, epoch: snapshot.epoch};
      resets++;
      resolveReady();
      changed();
    },
    onEvent(event) {
      if (!isAlertEvent(event)) return; // the topic carries nothing else
      position = {seq: event.seq, epoch: event.epoch};
      const alert = event.data.alert;
      if (event.type === "alert_resolved" || alert.state !== "open") byId.delete(alert.id);
      else byId.set(alert.id, alert);
      changed();
      for (const l of [...eventListeners]) l(event);
    },
  });

  return {
    ready,
    getState() {
      if (state === null) {
        state = {
          alerts: [...byId.values()].sort((a, b) => b.raised_seq - a.raised_seq),
          byId: new Map(byId), seq: position?.seq ?? null, epoch: position?.epoch ?? null, ready: resets > 0, resets,
        };
      }
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    close() {
      subscription.unsubscribe();
      listeners.clear();
      eventListeners.clear();
    },
  };
}
