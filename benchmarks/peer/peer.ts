// The one-file peer (issue 59): the simplest hook observability server, as the most popular open-source one for
// Claude Code is built. One Bun process; bun:sqlite in WAL mode with synchronous=NORMAL; on every hook, one INSERT and
// a send of the saved event to every dashboard, on the request path, before the hook is answered. Nothing else: no
// state machine, no approvals, no summary, no resume. Written for the benchmark from that description.
//
// It speaks just enough of what the load generator's hook run uses: Claude Code's HTTP hook at
// POST /hooks/claude-code, Phoenix V2 sockets at /socket/websocket (a join of any topic is answered ok and makes the
// socket a dashboard; heartbeats are answered), and GET /api/summary with the newest event's id as "as_of_seq".
//
// Run: node_modules/bun/bin/bun.exe peer.ts --urls http://127.0.0.1:0 --data-dir DIR
import { Database } from "bun:sqlite";
import type { ServerWebSocket } from "bun";
import { join } from "node:path";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const listen = new URL(option("--urls", "http://127.0.0.1:4000"));
const db = new Database(join(option("--data-dir", "."), "peer.db"), { create: true });
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_app TEXT NOT NULL,
  session_id TEXT NOT NULL,
  hook_event_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  timestamp INTEGER NOT NULL)`);
db.exec("CREATE INDEX IF NOT EXISTS idx_session_id ON events(session_id)");
db.exec("CREATE INDEX IF NOT EXISTS idx_hook_event_type ON events(hook_event_type)");
db.exec("CREATE INDEX IF NOT EXISTS idx_timestamp ON events(timestamp)");
const insert = db.prepare(
  "INSERT INTO events (source_app, session_id, hook_event_type, payload, timestamp) VALUES (?, ?, ?, ?, ?) RETURNING id");

const dashboards = new Set<ServerWebSocket<unknown>>();
let head = 0;

async function hook(request: Request): Promise<Response> {
  let body: any;
  try {
    body = await request.json();
  } catch {
    return Response.json({ error: "the body is not JSON" }, { status: 400 });
  }

  if (typeof body?.session_id !== "string" || typeof body?.hook_event_name !== "string") {
    return Response.json({ error: "session_id and hook_event_name are required" }, { status: 400 });
  }

  const timestamp = Date.now();
  const row = insert.get("claude-code", body.session_id, body.hook_event_name, JSON.stringify(body), timestamp) as { id: number };
  head = row.id;
  const event = { seq: row.id, source_app: "claude-code", session_id: body.session_id, hook_event_type: body.hook_event_name, payload: body, timestamp };
  const message = JSON.stringify([null, null, "sessions", "event", event]);
  for (const dashboard of dashboards) {
    dashboard.send(message);
  }

  return Response.json({});
}

const server = Bun.serve({
  hostname: listen.hostname,
  port: Number(listen.port),
  fetch(request, server) {
    const path = new URL(request.url).pathname;
    if (path === "/socket/websocket") {
      return server.upgrade(request) ? undefined : new Response("expected a WebSocket upgrade", { status: 400 });
    }

    if (request.method === "POST" && path === "/hooks/claude-code") {
      return hook(request);
    }

    if (request.method === "GET" && path === "/api/summary") {
      return Response.json({ as_of_seq: head });
    }

    return new Response("not found", { status: 404 });
  },
  websocket: {
    message(socket, data) {
      const [joinRef, ref, topic, event] = JSON.parse(String(data));
      if (event === "phx_join") {
        dashboards.add(socket);
      }

      if (event === "phx_join" || event === "heartbeat") {
        socket.send(JSON.stringify([joinRef, ref, topic, "phx_reply", { status: "ok", response: {} }]));
      }
    },
    close(socket) {
      dashboards.delete(socket);
    },
  },
});

console.log(`Now listening on: http://${server.hostname}:${server.port}`);
