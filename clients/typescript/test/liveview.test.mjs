// createLiveView(): a local copy of the active sessions and the summary, kept equal to the server by events.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {createLiveView} from "../dist/index.js";
import {Server, eventually, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

/** The view equals what the HTTP API says: the same active sessions (newest first, field for field) and summary. */
async function matchesServer(view, labels) {
  const state = view.getState();
  const expected = await client.listAllSessions({active: true, labels});
  const summary = labels ? null : await client.summary();
  const sameSessions = JSON.stringify(state.sessions) === JSON.stringify(expected);
  const sameSummary = !summary || (state.summary && state.summary.as_of_seq === summary.as_of_seq
    && state.summary.total_tokens === summary.total_tokens && state.summary.active_count === summary.active_count
    && JSON.stringify(state.summary.counts) === JSON.stringify(summary.counts));
  return sameSessions && sameSummary;
}

test("the live view follows creates, updates, usage and terminations, and its summary", async t => {
  const pre = await client.createSession({id: uniqueId("pre"), state: "idle", labels: {team: "a"}});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createLiveView({subscriber, client});
  t.after(() => view.close());
  let notifications = 0;
  view.subscribe(() => notifications++);
  await view.ready;
  assert.equal(view.getState().ready, true);
  assert.deepEqual(view.getState().sessions.map(s => s.id), [pre.id]);

  const ids = [];
  for (let i = 0; i < 4; i++) ids.push((await client.createSession({state: "working", labels: {team: i % 2 ? "a" : "b"}})).id);
  await client.updateSession(ids[0], {name: "renamed", metadata: {k: [1, 2]}, tasks_running: 3});
  await client.addUsage(ids[1], {input_tokens: 500, output_tokens: 20, cost_usd: 0.25});
  await client.terminate(ids[2]);
  await client.updateSession(pre.id, {state: "paused", error_message: "waiting"});
  await eventually(() => matchesServer(view), "the view to equal the server");
  const state = view.getState();
  assert.equal(state.sessions.length, 4);
  assert.ok(!state.byId.has(ids[2]), "a terminated session leaves the view");
  assert.equal(state.byId.get(ids[0]).name, "renamed");
  assert.equal(state.byId.get(ids[1]).total_tokens, 520);
  assert.ok(notifications > 0);
  assert.equal(state.resets, 1);
});

test("a label-filtered view holds only matching sessions and sees one enter and leave the filter", async t => {
  const team = uniqueId("team");
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createLiveView({subscriber, client, labels: {team}});
  t.after(() => view.close());
  await view.ready;
  const inside = await client.createSession({labels: {team}});
  const outside = await client.createSession({labels: {team: "other"}});
  await eventually(() => view.getState().byId.has(inside.id), "the matching session");
  assert.ok(!view.getState().byId.has(outside.id));

  await client.updateSession(outside.id, {labels: {team}, name: "joined"});
  await eventually(() => view.getState().byId.get(outside.id)?.name === "joined", "the session entering the filter");
  await client.updateSession(inside.id, {labels: {team: "elsewhere"}});
  await eventually(() => !view.getState().byId.has(inside.id), "the session leaving the filter");
  await eventually(() => matchesServer(view, {team}), "the view to equal the server");
});

test("more active sessions than the snapshot holds are fetched by page", async t => {
  const team = uniqueId("many");
  const results = await client.batch(Array.from({length: 25}, () => ({op: "create", labels: {team}})));
  assert.ok(results.every(r => r.status === 201));
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createLiveView({subscriber, client, labels: {team}, limit: 10});
  t.after(() => view.close());
  await view.ready;
  assert.equal(view.getState().sessions.length, 25);
  assert.ok(await matchesServer(view, {team}));
});
