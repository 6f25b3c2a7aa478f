// Producer and read calls against the real server.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {Server, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

test("create, get, update, usage, heartbeat and terminate round-trip through the HTTP API", async () => {
  const id = uniqueId();
  const created = await client.createSession({id, name: "Refactor parser", labels: {team: "core"}, lease_seconds: 60});
  assert.equal(created.id, id);
  assert.equal(created.state, "initializing");
  assert.deepEqual(created.labels, {team: "core"});
  assert.equal(created.version, 1);

  const updated = await client.updateSession(id, {state: "working", tasks_running: 2, metadata: {step: "parse"}});
  assert.equal(updated.state, "working");
  assert.equal(updated.tasks_running, 2);
  assert.deepEqual(updated.metadata, {step: "parse"});
  assert.equal(updated.version, 2);

  // A producer's write answer is the session plus its outstanding commands (none here).
  const {commands, ...used} = await client.addUsage(id, {input_tokens: 1200, output_tokens: 340, cost_usd: 0.0184});
  assert.deepEqual(commands, []);
  assert.equal(used.total_tokens, 1540);
  assert.equal(used.cost_usd, 0.0184);

  const beat = await client.heartbeat(id);
  assert.equal(beat.id, id);
  assert.equal(beat.lease_seconds, 60);
  assert.ok(Date.parse(beat.lease_expires_at) > Date.now() + 30_000, "the lease runs about a minute from now");

  assert.deepEqual(await client.getSession(id), used);

  const done = await client.terminate(id, {reason: "finished"});
  assert.equal(done.state, "terminated");
  assert.ok(done.terminated_at);
});

test("list filters by labels and states, newest first, and follows pages", async () => {
  const team = uniqueId("team");
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const s = await client.createSession({labels: {team}, state: i % 2 ? "idle" : "working"});
    ids.push(s.id);
  }
  const page = await client.listSessions({labels: {team}, limit: 2});
  assert.equal(page.sessions.length, 2);
  assert.ok(page.next_cursor);
  const all = await client.listAllSessions({labels: {team}, limit: 2});
  assert.deepEqual(all.map(s => s.id), [...ids].reverse());
  const idle = await client.listAllSessions({labels: {team}, states: ["idle"]});
  assert.deepEqual(idle.map(s => s.id).sort(), [ids[1], ids[3]].sort());
});

test("batch applies each operation on its own and reports a refused one as a problem", async () => {
  const id = uniqueId();
  const results = await client.batch([
    {op: "create", id, name: "batched", state: "working"},
    {op: "update", id, tasks_running: 3, metadata: {via: "batch"}},
    {op: "usage", id, input_tokens: 10, output_tokens: 5},
    {op: "heartbeat", id},
    {op: "update", id: uniqueId("missing"), state: "idle"},
    {op: "terminate", id, reason: "done"},
  ]);
  assert.deepEqual(results.map(r => r.status), [201, 200, 200, 200, 404, 200]);
  assert.equal(results[1].session.tasks_running, 3);
  assert.equal(results[2].session.total_tokens, 15);
  assert.equal(results[4].problem.code, "session_not_found");
  assert.equal(results[5].session.state, "terminated");
});

test("summary and count reflect the sessions; the event log replays them", async () => {
  const before = await client.summary();
  const id = uniqueId();
  await client.createSession({id, state: "working"});
  await client.addUsage(id, {input_tokens: 100, output_tokens: 50, cost_usd: 0.5});
  const after = await client.summary();
  assert.equal(after.total_count, before.total_count + 1);
  assert.equal(after.counts.working, before.counts.working + 1);
  assert.equal(after.total_tokens, before.total_tokens + 150);
  assert.ok(after.as_of_seq > before.as_of_seq);
  assert.equal(after.epoch, before.epoch);
  const count = await client.countSessions();
  assert.equal(count.total_sessions, after.total_count);

  const log = await client.events({sessionId: id});
  assert.deepEqual(log.events.map(e => e.type), ["session_created", "session_updated"]);
  assert.equal(log.events[1].data.changes.total_tokens, 150);
  await client.terminate(id);
});
