// A test page for the React hooks and the TanStack Query adapter, bundled with esbuild and opened in Chromium by
// tests/Switchboard.Conformance.Tests (TypeScriptClientTests). It is served from the server's own origin, so the
// client talks to `location.origin`. `?session=<id>` picks the session for useSession; `?team=<t>` the label filter.
import {QueryClient, QueryClientProvider, useQuery} from "@tanstack/react-query";
import {createRoot} from "react-dom/client";
import {createSwitchboard} from "../../dist/index.js";
import {SwitchboardProvider, useAlerts, useConnectionState, useSession, useSessions, useSummary, useWebhooks} from "../../dist/react.js";
import {sessionsQueryOptions, summaryQueryOptions, useSwitchboardQueryAdapter} from "../../dist/tanstack.js";

const params = new URLSearchParams(location.search);
const team = params.get("team") ?? "web";
const sessionId = params.get("session") ?? "";
const sb = createSwitchboard({url: location.origin});
const queryClient = new QueryClient({defaultOptions: {queries: {retry: false, refetchOnWindowFocus: false}}});
// Every queryFn call, so the test can also see from inside that nothing was refetched.
(window as any).__queryFetches = 0;
const counted = <T,>(fn: () => Promise<T>) => () => {
  (window as any).__queryFetches++;
  return fn();
};

function Hooks() {
  const connection = useConnectionState();
  const sessions = useSessions({labels: {team}, states: ["initializing", "idle", "working", "paused", "error"]});
  const one = useSession(sessionId);
  const summary = useSummary();
  const alerts = useAlerts();
  const critical = useAlerts({severities: ["critical"]});
  return (
    <section>
      <p data-testid="connection">{connection}</p>
      <ul data-testid="hook-sessions">
        {sessions.map(s => (
          <li key={s.id} data-testid="hook-session" data-id={s.id}>{`${s.name}|${s.state}|${s.tasks_running}`}</li>
        ))}
      </ul>
      <p data-testid="hook-one">{one === undefined ? "loading" : one === null ? "none" : `${one.name}|${one.state}|${one.total_tokens}`}</p>
      <p data-testid="hook-summary">{summary ? `${summary.active_count}|${summary.total_tokens}` : "loading"}</p>
      <ul data-testid="hook-alerts">
        {alerts.map(a => (
          <li key={a.id} data-testid="hook-alert" data-id={a.id}>{`${a.rule_name}|${a.severity}|${a.subject}|${a.acknowledged_by ?? "-"}`}</li>
        ))}
      </ul>
      <p data-testid="hook-critical">{critical.map(a => a.subject).join(",")}</p>
    </section>
  );
}

// A component of its own, so that only the webhooks topic's pushes render it.
function Webhooks() {
  const webhooks = useWebhooks();
  const failing = useWebhooks({states: ["failing"]});
  return (
    <section>
      <ul data-testid="hook-webhooks">
        {webhooks.map(w => (
          <li key={w.id} data-testid="hook-webhook" data-id={w.id}>{`${w.id}|${w.state}|${w.last_error === null ? "-" : "error"}`}</li>
        ))}
      </ul>
      <p data-testid="hook-failing-webhooks">{failing.map(w => w.id).join(",")}</p>
    </section>
  );
}

function Queries() {
  useSwitchboardQueryAdapter(sb);
  const options = sessionsQueryOptions(sb.client, {labels: {team}});
  const sessions = useQuery({...options, queryFn: counted(options.queryFn)});
  const summaryOptions = summaryQueryOptions(sb.client);
  const summary = useQuery({...summaryOptions, queryFn: counted(summaryOptions.queryFn)});
  return (
    <section>
      <ul data-testid="query-sessions" data-status={sessions.status}>
        {(sessions.data ?? []).map(s => (
          <li key={s.id} data-testid="query-session" data-id={s.id}>{`${s.name}|${s.state}|${s.tasks_running}`}</li>
        ))}
      </ul>
      <p data-testid="query-summary">{summary.data ? `${summary.data.active_count}|${summary.data.total_tokens}` : "loading"}</p>
    </section>
  );
}

createRoot(document.getElementById("root")!).render(
  <SwitchboardProvider value={sb}>
    <QueryClientProvider client={queryClient}>
      <Hooks />
      <Webhooks />
      <Queries />
    </QueryClientProvider>
  </SwitchboardProvider>,
);
