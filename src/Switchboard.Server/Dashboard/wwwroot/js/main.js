// Wires the dashboard together: one Phoenix socket, the `sessions` channel (snapshot on join, resume by seq
// after a reconnect), the views, and the polling fallback that runs only while the channel is down.

import { Api } from "./api.js";
import { Auth } from "./auth.js";
import { ConnectionMonitor, DEFAULT_POLL_MS } from "./connection.js";
import { frameScheduler } from "./dom.js";
import { Socket } from "./phoenix/socket.js";
import { SessionStore } from "./store.js";
import { DetailPanel } from "./views/detail.js";
import { EventFeed } from "./views/events.js";
import { HeaderView } from "./views/header.js";
import { SessionList } from "./views/list.js";
import { Toasts } from "./views/toasts.js";
import { AlertBar } from "./views/alerts.js";
import { WebhookList } from "./views/webhooks.js";

/** The join snapshot holds up to this many active sessions (the server's maximum). */
const SNAPSHOT_LIMIT = 1000;

const root = new URL("../../", import.meta.url);
const auth = new Auth(root);
const api = new Api(root, auth);
const store = new SessionStore();
const socket = new Socket(() => api.socketUrl());
auth.attach(socket);
const toasts = new Toasts();
// The detail panel opens below the sticky header (--topbar-h), so it never covers the header's controls.
new ResizeObserver(([entry]) => document.documentElement.style.setProperty("--topbar-h", `${entry.target.offsetHeight}px`))
  .observe(document.querySelector(".topbar"));
const header = new HeaderView(store, api, { onErrors: () => list.showState("error") });
const renderList = frameScheduler(() => list.render());
const renderHeader = frameScheduler(() => header.render());
const list = new SessionList(store, api, { onOpen: openDetail, onChange: renderList });
const detail = new DetailPanel(socket, api, { onClose: () => { list.selectedId = null; } });
const feed = new EventFeed({ onOpen: openDetail });
const monitor = new ConnectionMonitor({ poll, pollMs: pollInterval() });

store.subscribe((reason) => {
  if (reason === "summary") {
    renderHeader();
  }

  renderList();
});

const sessions = socket.channel("sessions", () => store.joinParams(SNAPSHOT_LIMIT));
sessions.onJoin((reply) => {
  if (reply.resumed) {
    store.resumed(reply.seq, reply.replayed);
  } else {
    store.load(reply.sessions ?? [], { complete: reply.next_cursor == null, seq: reply.seq, epoch: reply.epoch });
    list.onSnapshot();
  }

  if (reply.summary) {
    store.setSummary(reply.summary);
  }

  monitor.connected();
});
sessions.onError(() => monitor.lost());
socket.onClose(() => monitor.lost());
for (const type of ["session_created", "session_updated", "session_terminated", "fleet_updated"]) {
  sessions.on(type, onEvent);
}

sessions.on("summary", (envelope) => store.setSummary(envelope.data));
sessions.join();
new AlertBar({ socket, root, auth, toasts, onOpen: (id) => openDetail(id) });
new WebhookList({ root, auth });
// With auth on, the socket waits for the key and its first token.
await auth.start();
if (!auth.enabled || auth.token) {
  socket.connect(); // with auth on and no token, the socket would only be refused: the page polls instead
}

addEventListener("online", () => socket.reconnectNow());
document.addEventListener("visibilitychange", () => !document.hidden && socket.reconnectNow());
setInterval(() => {
  header.tick();
  list.tick();
  detail.tick();
}, 1000);

function onEvent(envelope) {
  const knownBefore = store.get(envelope.session_id) !== null;
  const result = store.apply(envelope);
  list.onEvent(envelope);
  feed.add(envelope, result?.before ?? null, result?.after ?? null);
  const session = envelope.data?.session;
  const open = () => openDetail(envelope.session_id);
  if (envelope.type === "session_created" && result?.isNew) {
    toasts.show("created", "Session created", describeSession(session), open);
  } else if (envelope.type === "session_terminated" && (result?.endedNow || (!result && !knownBefore))) {
    const reason = envelope.data.reason ? ` · ${envelope.data.reason}` : "";
    toasts.show("terminated", "Session terminated", `${describeSession(session)}${reason}`, open);
  }
}

function describeSession(session) {
  if (!session) return "";
  return session.name ? `${session.name} (${session.id})` : session.id;
}

function openDetail(id) {
  detail.open(id, store.get(id) ?? list.remoteSession(id));
  list.selectedId = id;
}

/** The fallback: list and summary over HTTP. Results that land after the channel is back are dropped. */
async function poll() {
  const [page, summary] = await Promise.all([
    api.listSessions({ active: true, limit: SNAPSHOT_LIMIT }),
    api.summary(),
    list.poll(),
  ]);
  if (monitor.state === "connected") {
    return; // live events already moved past what this poll saw
  }

  store.load(page.sessions, { complete: page.next_cursor == null });
  store.setSummary(summary);
}

/** 10 s. Tests may shorten it with ?poll_ms= to keep their runs fast. */
function pollInterval() {
  const value = Number.parseInt(new URLSearchParams(location.search).get("poll_ms") ?? "", 10);
  return Number.isFinite(value) && value >= 100 ? value : DEFAULT_POLL_MS;
}
