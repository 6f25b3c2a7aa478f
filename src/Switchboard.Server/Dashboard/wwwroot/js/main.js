// Wires the dashboard together: one Phoenix socket (the unmodified phoenix.js, vendored), the `sessions` channel
// (snapshot on join, resume by seq after a reconnect), the views, and the polling fallback that runs only while the
// channel is down.

import { Api } from "./api.js";
import { Auth } from "./auth.js";
import { ConnectionMonitor, DEFAULT_LOAD_GRACE_MS, DEFAULT_POLL_MS } from "./connection.js";
import { frameScheduler } from "./dom.js";
import { Socket } from "../vendor/phoenix/phoenix.mjs";
import { SessionStore } from "./store.js";
import { DetailPanel } from "./views/detail.js";
import { EventFeed } from "./views/events.js";
import { HeaderView } from "./views/header.js";
import { SessionList } from "./views/list.js";
import { Toasts } from "./views/toasts.js";
import { UsageView } from "./views/usage.js";
import { AlertBar } from "./views/alerts.js";
import { NeedsYou } from "./views/needs-you.js";
import { WebhookList } from "./views/webhooks.js";
import { CommandFeed } from "./commands.js";

/** The join snapshot holds up to this many active sessions (the server's maximum). */
const SNAPSHOT_LIMIT = 1000;

const root = new URL("../../", import.meta.url);
const auth = new Auth(root);
const api = new Api(root, auth);
const store = new SessionStore();
const toasts = new Toasts();
// The detail panel opens below the sticky header (--topbar-h), so it never covers the header's controls.
new ResizeObserver(([entry]) => document.documentElement.style.setProperty("--topbar-h", `${entry.target.offsetHeight}px`))
  .observe(document.querySelector(".topbar"));
const header = new HeaderView(store, api, { onErrors: () => list.showState("error"), onWaiting: () => list.showState("waiting") });
const renderList = frameScheduler(() => list.render());
const renderHeader = frameScheduler(() => header.render());
const list = new SessionList(store, api, { onOpen: openDetail, onChange: renderList });
const feed = new EventFeed({ onOpen: openDetail });
const monitor = new ConnectionMonitor({
  poll,
  pollMs: queryMs("poll_ms", DEFAULT_POLL_MS),
  loadGraceMs: queryMs("load_grace_ms", DEFAULT_LOAD_GRACE_MS),
});
/** Set once the socket exists (after the key is known); until then there is nothing to open a channel on. */
let detail = null;
let webhooks = null;

store.subscribe((reason) => {
  if (reason === "summary") {
    renderHeader();
  }

  renderList();
});

// With auth on, the socket waits for the key and its first token; until then (and whenever the channel is down) the
// page polls.
await auth.start();
// The token goes as phoenix.js's `authToken` (a subprotocol, read at each connect), never in the URL.
const socket = new Socket(api.socketEndpoint(), auth.enabled ? { authToken: () => auth.token } : {});
auth.attach(socket);
detail = new DetailPanel(socket, api, { onClose: closedDetail, onNavigate: (id) => { list.selectedId = id; } });
// The fleet's outstanding commands, for the list's "cancel requested" badge.
const commands = new CommandFeed(socket);
list.commands = commands;
commands.subscribe(renderList);
new UsageView(socket);

// Join params as a function: phoenix.js reads them at every (re)join, so a rejoin resumes from the last seq seen.
const sessions = socket.channel("sessions", () => store.joinParams(SNAPSHOT_LIMIT));
sessions.onError(() => monitor.lost());
socket.onClose(() => monitor.lost());
for (const type of ["session_created", "session_updated", "session_terminated", "fleet_updated"]) {
  sessions.on(type, onEvent);
}

sessions.on("summary", (envelope) => store.setSummary(envelope.data));
// The join push's hooks run on every rejoin too (phoenix.js resends the same push).
sessions.join().receive("ok", (reply) => {
  if (store.joined(reply)) {
    store.load(reply.sessions ?? [], { complete: reply.next_cursor == null, asOf: reply.seq });
    list.onSnapshot();
  }

  if (reply.summary) {
    store.setSummary(reply.summary);
  }

  monitor.connected();
});
new AlertBar({ socket, root, auth, toasts, onOpen: (id) => openDetail(id) });
new NeedsYou({ socket, store, root, auth, onOpen: (id) => openDetail(id) });
webhooks = new WebhookList({ socket, root, auth });
// A link to one session (`?session={id}`: what a Slack message links to with Switchboard:PublicUrl set) opens its detail
// panel; the panel's channel joins once the socket connects.
const linked = new URLSearchParams(location.search).get("session");
if (linked) {
  openDetail(linked);
}

if (!auth.enabled || auth.token) {
  socket.connect(); // with auth on and no token, the socket would only be refused: the page polls instead
}

setInterval(() => {
  header.tick();
  list.tick();
  detail.tick();
}, 1000);

function onEvent(envelope) {
  if (!store.accept(envelope)) {
    return; // seen already: the list, the feed and the toasts have it
  }

  const knownBefore = store.get(envelope.session_id) !== null;
  const result = store.apply(envelope);
  list.onEvent(envelope);
  feed.add(envelope, result?.before ?? null, result?.after ?? null);
  notify(envelope, result, knownBefore);
}

/** Toasts: sessions that fail or end in error first, then terminations and creations (toasts.js merges and limits). */
function notify(envelope, result, knownBefore) {
  const open = () => openDetail(envelope.session_id);
  const before = result?.before ?? null;
  const after = result?.after ?? null;
  if (envelope.type === "session_created" && result?.isNew) {
    toasts.show("created", "Session created", describeSession(envelope.data.session), open);
  } else if (envelope.type === "session_terminated" && (result?.endedNow || (!result && !knownBefore))) {
    const reason = envelope.data.reason ? ` · ${envelope.data.reason}` : "";
    const inError = before ? before.state === "error" : Boolean(envelope.data.session?.error_message);
    toasts.show(inError ? "error" : "terminated", inError ? "Session in error terminated" : "Session terminated",
      `${describeSession(envelope.data.session)}${reason}`, open);
  } else if (envelope.type === "session_updated" && after?.state === "error" && before?.state !== "error") {
    const message = after.error_message ? ` · ${after.error_message}` : "";
    toasts.show("error", "Session failed", `${describeSession(after)}${message}`, open);
  }
}

function describeSession(session) {
  if (!session) return "";
  return session.name ? `${session.name} (${session.id})` : session.id;
}

function openDetail(id) {
  if (!detail) {
    return;
  }

  detail.open(id, store.get(id) ?? list.remoteSession(id));
  list.selectedId = id;
}

/** A closed panel stays closed on a reload: the link that opened it (`?session=`) is taken off the URL. */
function closedDetail() {
  list.selectedId = null;
  const url = new URL(location.href);
  if (url.searchParams.has("session")) {
    url.searchParams.delete("session");
    history.replaceState(history.state, "", url);
  }
}

/**
 * The fallback: list, summary and webhooks over HTTP. Results that land after the channel is back are dropped. The
 * summary and the webhooks are fleet-wide, so a key scoped to labels is refused them (403): its sessions still load.
 */
async function poll() {
  const [page, summary] = await Promise.all([
    api.listSessions({ active: true, limit: SNAPSHOT_LIMIT }),
    api.summary().catch(() => null),
    list.poll(),
    webhooks?.poll(),
  ]);
  if (monitor.state === "connected") {
    return; // live events already moved past what this poll saw
  }

  store.load(page.sessions, { complete: page.next_cursor == null, asOf: page.as_of_seq });
  if (summary) {
    store.setSummary(summary);
  }
}

/**
 * A duration from the query string, in milliseconds (at least 100), or `fallback`: `?poll_ms=` (10 s; tests shorten it
 * to keep their runs fast) and `?load_grace_ms=` (3 s; how long the page waits for its first join before it polls).
 */
function queryMs(name, fallback) {
  const value = Number.parseInt(new URLSearchParams(location.search).get(name) ?? "", 10);
  return Number.isFinite(value) && value >= 100 ? value : fallback;
}
