// Compiled (never run) by test/types.test.mjs against the built declarations: what the public types accept and refuse.
// A line marked @ts-expect-error must not compile; every other line must.
import type {LoggedEvent, Subscriber} from "../../dist/index.js";

declare const subscriber: Subscriber;

// The events a topic carries are typed by `type`, alert and approval events included.
subscriber.subscribe("alerts", {
  onEvent(event: LoggedEvent) {
    switch (event.type) {
      case "alert_raised":
      case "alert_resolved":
      case "alert_acknowledged": {
        const severity: "info" | "warning" | "critical" = event.data.alert.severity;
        const session: string | null = event.session_id;
        void severity, session;
        break;
      }
      case "approval_requested":
      case "approval_answered": {
        const kind: "permission" | "question" | "plan" = event.data.approval.kind;
        void kind;
        break;
      }
      case "session_updated":
        void event.data.version;
        break;
    }
  },
  onReset(snapshot) {
    void snapshot.alerts?.map(a => a.rule_id);
    void snapshot.approvals?.map(a => a.summary);
    void snapshot.commands?.map(c => c.type);
  },
});
