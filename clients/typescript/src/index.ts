export * from "./types.js";
export * from "./alerts.js";
export * from "./commands.js";
export * from "./approvals.js";
export {describe, enums, schemas, type Descriptor} from "./wire.js";
export {SwitchboardProblem, SwitchboardTransportError, isProblem} from "./errors.js";
export {SwitchboardClient, type ClientOptions, type ListSessionsOptions, type PageOptions} from "./client.js";
export {SessionHandle, type SessionHandleOptions, type SessionHandleStats} from "./handle.js";
export {SessionStream} from "./stream.js";
export {
  Subscriber, Subscription, defaultBackoff, type ConnectionState, type JoinInfo, type SnapshotReset,
  type StreamPosition, type SubscribeOptions, type SubscriberOptions, type SubscriptionHandlers, type WebhooksHandlers,
} from "./subscriber.js";
export {applyEvent, ResumeCursor} from "./live.js";
export {
  applyChanges, createLiveView, createSessionView, createSummaryView, labelsMatch, newestFirst, type LiveView,
  type LiveViewEventListener, type LiveViewOptions, type LiveViewState, type ValueView,
} from "./liveView.js";
export {
  SubtreeDeltas, addDecimal, addTotals, createSubtreeView, type SubtreeView, type SubtreeViewState,
} from "./subtreeView.js";
export {createAlertsView, type AlertsView, type AlertsViewState} from "./alertsView.js";
export {createWebhooksView, type WebhooksView, type WebhooksViewState} from "./webhooksView.js";
export {createSwitchboard, type Switchboard, type SwitchboardOptions} from "./switchboard.js";
