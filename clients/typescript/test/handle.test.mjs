// The session handle: coalescing rapid updates, heartbeats while leased, flush on terminate, the error path.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {Server, eventually, sleep, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

const typesOf = async id => (await client.events({sessionId: id})).events.map(e => e.type);

test("a burst of updates and usage goes out as one PATCH and one usage request, last values winning", async () => {
  const handle = await client.startSession({id: uniqueId(), name: "burst"});
  for (let i = 1; i <= 100; i++) {
    handle.update({tasks_running: i, metadata: {step: i}});
    handle.addUsage({input_tokens: 10, output_tokens: 1, cost_usd: 0.001});
  }
  const session = await handle.flush();
  assert.equal(session.tasks_running, 100);
  assert.deepEqual(session.metadata, {step: 100});
  assert.equal(session.input_tokens, 1000);
  assert.equal(session.output_tokens, 100);
  assert.ok(Math.abs(session.cost_usd - 0.1) < 1e-9, String(session.cost_usd));
  assert.deepEqual(handle.stats, {updates: 1, usages: 1, heartbeats: 0});
  assert.deepEqual(await typesOf(handle.id), ["session_created", "session_updated", "session_updated"]);
  assert.deepEqual(await client.getSession(handle.id), session);
  await handle.terminate();
});

test("updates made while a request is in flight go out after it, in order, and the last one wins", async () => {
  const handle = await client.startSession({id: uniqueId()}, {coalesceMs: 1});
  for (let i = 1; i <= 30; i++) {
    handle.update({tasks_running: i});
    if (i % 3 === 0) await sleep(2);
  }
  const session = await handle.flush();
  assert.equal(session.tasks_running, 30);
  const log = (await client.events({sessionId: handle.id})).events.filter(e => e.type === "session_updated");
  const values = log.map(e => e.data.changes.tasks_running);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), "applied in the order they were made");
  assert.equal(values.at(-1), 30);
  assert.equal(log.length, handle.stats.updates);
  await handle.terminate();
});

test("a leased handle heartbeats on its own and keeps the session alive past its lease", async () => {
  // A 6 s lease, so the handle heartbeats every 2 s (a third of it) and a stall of up to 4 s on a loaded machine still
  // leaves the lease alive; the server checks leases every second.
  const lease = 6;
  const errors = [];
  const started = Date.now();
  const handle = await client.startSession({id: uniqueId(), lease_seconds: lease}, {onError: e => errors.push(e)});
  // The same lease, created after the handle's session and never heartbeated: its lease runs out later than the
  // handle's first one would. The check that expires it (every due lease at once) would have expired the handle's
  // session too, had its heartbeats not moved its lease on.
  const unattended = await client.createSession({id: uniqueId("unattended"), state: "working", lease_seconds: lease});
  await eventually(async () => (await client.getSession(unattended.id)).state !== "working", "the unattended lease to expire", 30000);
  assert.ok(Date.now() - started > lease * 1000, "observed for longer than the lease");
  const session = await client.getSession(handle.id);
  assert.equal(session.state, "working");
  await eventually(() => handle.stats.heartbeats >= 3, "three heartbeats");
  assert.deepEqual(errors, []);
  const expired = (await client.events({sessionId: unattended.id})).events.find(e => e.data.reason === "lease_expired");
  assert.ok(expired, "the unattended session's lease expired");
  assert.ok(!(await client.events({sessionId: handle.id})).events.some(e => e.data.reason === "lease_expired"));
  await handle.terminate();
});

test("terminate sends what is pending first, then terminates, and stops the heartbeats", async () => {
  const handle = await client.startSession({id: uniqueId(), lease_seconds: 30}, {coalesceMs: 10_000});
  handle.update({name: "final name", tasks_running: 0});
  handle.addUsage({input_tokens: 7, output_tokens: 3});
  const done = await handle.terminate("done");
  assert.equal(done.state, "terminated");
  assert.equal(done.name, "final name");
  assert.equal(done.total_tokens, 10);
  assert.equal(handle.active, false);
  assert.deepEqual(await typesOf(handle.id), ["session_created", "session_updated", "session_updated", "session_terminated"]);
  assert.throws(() => handle.update({name: "late"}), /terminated/);
});

test("fail() flushes and puts the session in state error with the message", async () => {
  const handle = await client.startSession({id: uniqueId(), lease_seconds: 30});
  handle.update({tasks_running: 4});
  const failed = await handle.fail(new TypeError("model refused"));
  assert.equal(failed.state, "error");
  assert.equal(failed.error_message, "TypeError: model refused");
  assert.equal(failed.tasks_running, 4);
  assert.equal(handle.active, false);
});
