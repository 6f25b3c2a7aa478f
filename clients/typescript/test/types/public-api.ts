// Compiled (never run) by test/types.test.mjs against the built declarations: what the public types accept and refuse.
// A line marked @ts-expect-error must not compile; every other line must.
import {ApprovalAnswer, createWebhooksView, type LoggedEvent, type SwitchboardClient, type Subscriber} from "../../dist/index.js";
import {useWebhooks} from "../../dist/react.js";

declare const client: SwitchboardClient;
declare const subscriber: Subscriber;

// Every answer the server takes (docs/approvals.md#answering), as plain objects and from the builders.
void client.answerApproval("s", "a", {decision: "allow", note: "ok"});
void client.answerApproval("s", "a", {decision: "allow", suggestion: 0});
void client.answerApproval("s", "a", {decision: "deny", note: "use make clean", interrupt: true});
void client.answerApproval("s", "a", {decision: "answer", answers: {"Which color?": "Red"}});
void client.answerApproval("s", "a", ApprovalAnswer.allow({suggestion: 0}));
void client.answerApproval("s", "a", ApprovalAnswer.deny({note: "why", interrupt: true}));
void client.answerApproval("s", "a", ApprovalAnswer.answer({"Which color?": "Red"}, {note: "n"}));
// @ts-expect-error an interrupt goes with a deny
void client.answerApproval("s", "a", {decision: "allow", interrupt: true});
// @ts-expect-error a suggestion goes with an allow
void client.answerApproval("s", "a", {decision: "deny", suggestion: 0});
// @ts-expect-error an answer carries the answers
void client.answerApproval("s", "a", {decision: "answer"});
// @ts-expect-error not a decision
void client.answerApproval("s", "a", {decision: "maybe"});

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

// The fleet switch and subscriber tokens take and answer the generated wire types.
void client.pauseFleet().then(f => { const paused: boolean = f.is_paused; void paused; });
void client.createSubscriberToken({topics: ["sessions", "session:agent-*"], labels: {team: "red"}, ttl_seconds: 900})
  .then(t => { const token: string = t.token; const labels: Record<string, string> | null = t.labels; void token, labels; });
// @ts-expect-error the lifetime is ttl_seconds
void client.createSubscriberToken({ttl: 900});
// @ts-expect-error topics is a list of patterns
void client.createSubscriberToken({topics: "sessions"});

// The webhooks topic hands over the typed endpoints, as listWebhooks() answers them.
subscriber.followWebhooks((webhooks, event) => {
  const state: "active" | "failing" = webhooks[0]!.state;
  const lag: number = webhooks[0]!.lag;
  const seq: null = event.seq;
  void state, lag, seq;
}, {onJoinError: e => void e.reason});
// @ts-expect-error the list is typed: an endpoint has no `name`
subscriber.followWebhooks(webhooks => void webhooks[0]!.name);

// The webhooks view holds the same typed endpoints, read-only.
const webhooksView = createWebhooksView({subscriber, onJoinError: e => void e.reason});
const viewed: "active" | "failing" | undefined = webhooksView.getState().byId.get("ops")?.state;
const at: string | null = webhooksView.getState().at;
void viewed, at;
// @ts-expect-error the view's list is read-only
webhooksView.getState().webhooks.push(webhooksView.getState().webhooks[0]!);
// The hook's filter takes the endpoint states only.
const failingHooks: readonly {id: string; state: "active" | "failing"}[] = useWebhooks({states: ["failing"]});
void failingHooks;
// @ts-expect-error not an endpoint state
useWebhooks({states: ["broken"]});
