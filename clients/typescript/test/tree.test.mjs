// Agent trees: parent ids, the tree reads, cascading terminates, and views whose ancestors' subtree totals stay exact.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {randomBytes} from "node:crypto";
import {addDecimal, createLiveView, createSubtreeView} from "../dist/index.js";
import {Server, eventually, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

const totals = s => JSON.stringify(s.subtree);

test("children roll up into their ancestors and the tree is read page by page", async () => {
  const run = await client.createSession({id: uniqueId("run")});
  const task = await client.createSession({parent_id: run.id, cost_usd: 0.25});
  assert.deepEqual([task.parent_id, task.root_id, task.depth], [run.id, run.id, 1]);
  await client.batch([{op: "create", id: `${task.id}-leaf`, parent_id: task.id, input_tokens: 40}]);
  await client.addUsage(`${task.id}-leaf`, {output_tokens: 2, cost_usd: 0.5});
  const root = await client.getSession(run.id);
  assert.deepEqual(root.subtree, {sessions: 3, active: 3, input_tokens: 40, output_tokens: 2, total_tokens: 42, cost_usd: 0.75});
  assert.deepEqual((await client.children(run.id)).sessions.map(s => s.id), [task.id]);
  const first = await client.tree(run.id, {limit: 2});
  assert.deepEqual(first.sessions.map(s => s.id), [run.id, task.id]);
  assert.ok(first.next_cursor);
  assert.deepEqual((await client.subtree(run.id)).map(s => s.id), [run.id, task.id, `${task.id}-leaf`]);
  assert.deepEqual((await client.listSessions({parentId: task.id})).sessions.map(s => s.id), [`${task.id}-leaf`]);
  await assert.rejects(client.createSession({parent_id: uniqueId("nope")}), e => e.code === "parent_not_found" && e.field === "parent_id");
  const ended = await client.terminate(run.id, {cascade: true});
  assert.equal(ended.subtree.active, 0);
});

test("the live view adds each child's delta to the ancestors it holds, also those read from later pages", async t => {
  const team = uniqueId("tree");
  const root = await client.createSession({id: uniqueId("root"), labels: {team}, state: "working"});
  const ids = [];
  for (let i = 0; i < 9; i++) {
    ids.push((await client.createSession({parent_id: i % 3 === 0 ? root.id : ids[i - 1], labels: {team}})).id);
  }
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const writes = (async () => {
    for (let n = 0; n < 60; n++) await client.addUsage(ids[n % ids.length], {input_tokens: 1, cost_usd: 0.01});
  })();
  const view = createLiveView({subscriber, client, labels: {team}, limit: 2});
  t.after(() => view.close());
  await view.ready;
  await writes;
  await client.createSession({parent_id: ids[4], labels: {team}, cost_usd: 2});
  await eventually(async () => {
    const expected = await client.listAllSessions({active: true, labels: {team}});
    const held = view.getState().byId;
    return expected.length === held.size && expected.every(s => held.get(s.id) && totals(held.get(s.id)) === totals(s));
  }, "every held session's subtree to equal the server's");
  assert.equal(view.getState().byId.get(root.id).subtree.sessions, 11);
});

test("a subtree view follows the whole subtree, ended sessions included, with exact totals", async t => {
  const root = await client.createSession({id: uniqueId("sub")});
  const a = await client.createSession({parent_id: root.id});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createSubtreeView(subscriber, root.id, client);
  t.after(() => view.close());
  await view.ready;
  assert.deepEqual([...view.getState().byId.keys()].sort(), [a.id, root.id].sort());
  const b = await client.createSession({parent_id: a.id, cost_usd: 0.1});
  await client.addUsage(b.id, {output_tokens: 7, cost_usd: 0.2});
  await client.terminate(b.id);
  await client.createSession({id: uniqueId("other")});
  await eventually(async () => {
    const server = await client.subtree(root.id);
    const held = view.getState().byId;
    return server.length === held.size && server.every(s => totals(held.get(s.id) ?? {}) === totals(s));
  }, "the subtree view to equal the server");
  assert.deepEqual(view.getState().children.get(a.id).map(s => s.id), [b.id]);
  assert.equal(view.getState().root.subtree.active, 2);
});

test("decimal costs add without binary drift", () => {
  assert.equal(addDecimal(0.1, 0.2), 0.3);
  assert.equal(addDecimal(0.0000001, 0.75), 0.7500001);
  assert.equal(addDecimal(1.5, -1.5), 0);
});

test("a subtree view takes in a sub-agent's session when the span that started it arrives (OpenTelemetry in)", async t => {
  const run = randomBytes(4).toString("hex");
  const trace = randomBytes(16).toString("hex");
  const ns = BigInt(Date.now()) * 1_000_000n;
  const span = (id, parent, operation, conversation, extra = []) => ({
    traceId: trace, spanId: id, parentSpanId: parent, name: `${operation} x`, kind: 1,
    startTimeUnixNano: String(ns - 1_000_000n), endTimeUnixNano: String(ns),
    attributes: [
      {key: "gen_ai.operation.name", value: {stringValue: operation}},
      {key: "gen_ai.conversation.id", value: {stringValue: conversation}},
      ...extra,
    ],
  });
  const usage = [{key: "gen_ai.usage.input_tokens", value: {intValue: "300"}}];
  // Spans are exported when they end: the researcher's before the planner's tool span that ran it.
  const send = async (...spans) => {
    const response = await fetch(`${server.url}/v1/traces`, {
      method: "POST", headers: {"content-type": "application/json"},
      body: JSON.stringify({resourceSpans: [{resource: {attributes: []}, scopeSpans: [{spans}]}]}),
    });
    assert.equal(response.status, 200, await response.text());
  };
  const [planner, researcher] = [`otel:c:plan-${run}`, `otel:c:research-${run}`];
  await send(span("00000000000000a1", "00000000000000a0", "chat", `plan-${run}`));
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createSubtreeView(subscriber, planner, client);
  t.after(() => view.close());
  await view.ready;
  await send(span("00000000000000b1", "00000000000000b0", "chat", `research-${run}`, usage));
  await send(span("00000000000000b0", "00000000000000a2", "invoke_agent", `research-${run}`));
  assert.equal((await client.getSession(researcher)).parent_id, null, "its parent's span has not arrived");
  await send(span("00000000000000a2", "00000000000000a0", "execute_tool", `plan-${run}`));

  await eventually(async () => view.getState().byId.get(researcher)?.parent_id === planner, "the researcher to join the planner's subtree view");
  assert.deepEqual(view.getState().children.get(planner).map(s => s.id), [researcher]);
  const stored = await client.getSession(planner);
  assert.equal(stored.subtree.input_tokens, 300);
  assert.equal(totals(view.getState().root), totals(stored), "the view's totals took in the moved subtree");
});
