// The `waiting` state through the client against the real server, and a state the client does not know: a newer
// server's state is read, kept by its name and counted, never refused. A real server sends only states this client knows,
// so an unknown one is made by renaming `waiting` on its way from the real server (HTTP answers and socket frames).
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import {SESSION_STATES, Subscriber, applyEvent, createLiveView} from "../dist/index.js";
import {Server, eventually, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

const rename = text => text.replaceAll('"waiting"', '"napping"');

/** A fetch that plays a newer server: every answer of the real one with `waiting` renamed. */
async function renamingFetch(input, init) {
  const response = await fetch(input, init);
  const body = rename(await response.text());
  return new Response(response.status === 204 ? null : body, {status: response.status, headers: {"content-type": response.headers.get("content-type") ?? "application/json"}});
}

/** The `ws` socket with every text frame from the real server renamed the same way, before the phoenix client reads it. */
class RenamingWebSocket extends WebSocket {
  set onmessage(handler) {
    super.onmessage = handler && (event => handler({data: typeof event.data === "string" ? rename(event.data) : event.data}));
  }

  get onmessage() {
    return super.onmessage;
  }
}

test("waiting is the last state of the list, after every state that shipped before it", () => {
  assert.deepEqual([...SESSION_STATES], ["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"]);
});

test("a session goes working → waiting → working through producer calls, a subscription and the live view", async t => {
  const id = uniqueId("asks");
  await client.createSession({id, state: "working", labels: {flow: id}});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const events = [];
  const subscription = subscriber.subscribe(`session:${id}`, {onEvent: e => events.push(e)});
  t.after(() => subscription.unsubscribe());
  const view = createLiveView({subscriber, client, labels: {flow: id}});
  t.after(() => view.close());
  await view.ready;

  const waiting = await client.updateSession(id, {state: "waiting"});
  assert.equal(waiting.state, "waiting");
  assert.equal((await client.getSession(id)).state, "waiting");
  assert.equal((await client.heartbeat(id)).state, "waiting");
  assert.deepEqual((await client.listSessions({labels: {flow: id}, states: ["waiting"]})).sessions.map(s => s.id), [id]);
  assert.ok((await client.summary()).counts.waiting >= 1);
  await eventually(() => view.getState().byId.get(id)?.state === "waiting", "the live view to show waiting");

  await client.updateSession(id, {state: "working"});
  assert.deepEqual((await client.listSessions({labels: {flow: id}, states: ["waiting"]})).sessions, []);
  await eventually(() => view.getState().byId.get(id)?.state === "working", "the live view to show working again");
  await eventually(() => events.filter(e => e.type === "session_updated").length === 2, "both state changes on the session's topic");
  const moves = events.filter(e => e.type === "session_updated").map(e => `${e.data.previous_state}→${e.data.changes.state}`);
  assert.deepEqual(moves, ["working→waiting", "waiting→working"]);
});

test("a state the client does not know is kept by name in reads, the summary and the live view", async t => {
  const id = uniqueId("napping");
  await client.createSession({id, state: "working", labels: {flow: id}});
  const older = server.client({fetch: renamingFetch});
  const subscriber = new Subscriber({url: server.url, WebSocket: RenamingWebSocket, backoff: () => 100});
  t.after(() => subscriber.disconnect());
  const view = createLiveView({subscriber, client: older, labels: {flow: id}});
  t.after(() => view.close());
  await view.ready;

  await client.updateSession(id, {state: "waiting"});
  await eventually(() => view.getState().byId.get(id)?.state === "napping", "the live view to keep the unknown state");
  const session = await older.getSession(id);
  assert.equal(session.state, "napping");
  assert.deepEqual(view.getState().byId.get(id), session, "the live view equals what the HTTP API says");
  assert.equal((await older.heartbeat(id)).state, "napping");
  const summary = await older.summary();
  assert.equal(summary.counts.napping, (await client.summary()).counts.waiting);
  assert.equal(summary.counts.waiting, undefined);

  await client.updateSession(id, {state: "working"});
  await eventually(() => view.getState().byId.get(id)?.state === "working", "the live view to move on from it");
});

test("applyEvent keeps a crafted state it has never heard of", () => {
  const session = {id: "s1", state: "hibernating", version: 1, labels: {}, updated_at: "2026-01-01T00:00:00.000Z"};
  const next = applyEvent(session, {
    type: "session_updated", seq: 2, epoch: "e", session_id: "s1", at: "2026-01-01T00:00:01.000Z",
    data: {changes: {state: "dreaming", updated_at: "2026-01-01T00:00:01.000Z"}, previous_state: "hibernating", version: 2},
  });
  assert.equal(next.state, "dreaming");
  assert.equal(next.version, 2);
});
