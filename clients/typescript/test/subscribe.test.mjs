// The subscriber on the unmodified phoenix client: typed events, snapshot resets, resume by seq, and a resume
// across a kill -9 of the server with no gap and no duplicate.
import {test} from "node:test";
import assert from "node:assert/strict";
import {eventually, startServer, uniqueId} from "./server.mjs";

function recorder() {
  const r = {events: [], resets: [], joins: [], summaries: [], errors: []};
  r.handlers = {
    onEvent: e => r.events.push(e),
    onReset: s => r.resets.push(s),
    onJoin: j => r.joins.push(j),
    onSummary: s => r.summaries.push(s),
    onJoinError: e => r.errors.push(e),
  };
  return r;
}

test("typed events arrive after an initial snapshot reset", async t => {
  const server = await startServer();
  const client = server.client();
  const existing = await client.createSession({id: uniqueId("existing"), state: "idle"});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const r = recorder();
  subscriber.subscribe("sessions", r.handlers);
  await eventually(() => r.resets.length === 1 && r.summaries.length >= 1, "the join");
  assert.equal(subscriber.state, "open");
  const [reset] = r.resets;
  assert.equal(reset.initial, true);
  assert.deepEqual(reset.sessions.map(s => s.id), [existing.id]);
  assert.equal(reset.summary.active_count, 1);
  assert.equal(reset.next_cursor, null);

  const id = uniqueId();
  await client.createSession({id, name: "typed", labels: {team: "core"}});
  await client.updateSession(id, {state: "working"});
  await client.terminate(id, {reason: "finished"});
  await eventually(() => r.events.length === 3, "three events");
  const [created, updated, terminated] = r.events;
  assert.equal(created.type, "session_created");
  assert.equal(created.session_id, id);
  assert.equal(created.data.session.name, "typed");
  assert.equal(created.data.active_count, 2);
  assert.equal(updated.type, "session_updated");
  assert.equal(updated.data.changes.state, "working");
  assert.equal(updated.data.previous_state, "initializing");
  assert.equal(updated.data.version, 2);
  assert.equal(terminated.type, "session_terminated");
  assert.equal(terminated.data.session.state, "terminated");
  assert.equal(terminated.data.reason, "finished");
  assert.ok(created.seq < updated.seq && updated.seq < terminated.seq);
  await eventually(() => r.summaries.some(s => s.as_of_seq === terminated.seq && s.active_count === 1), "the summary after the change");
  assert.equal(r.resets.length, 1);
});

test("a session topic joined before the session exists gets a null snapshot, then its events", async t => {
  const server = await startServer();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const id = uniqueId();
  const r = recorder();
  subscriber.subscribe(`session:${id}`, r.handlers);
  await eventually(() => r.resets.length === 1, "the join");
  assert.equal(r.resets[0].session, null);
  await server.client().createSession({id});
  await eventually(() => r.events.length === 1, "session_created");
  assert.equal(r.events[0].data.session.id, id);
});

test("joining with a position replays exactly the events after it; an unknown epoch gets a snapshot reset", async t => {
  const server = await startServer();
  const client = server.client();
  const id = uniqueId();
  await client.createSession({id});
  const mark = await client.summary();
  await client.updateSession(id, {state: "working"});
  await client.updateSession(id, {tasks_running: 2});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());

  const resumed = recorder();
  subscriber.subscribe("sessions", resumed.handlers, {since: {seq: mark.as_of_seq, epoch: mark.epoch}});
  await eventually(() => resumed.joins.length === 1 && resumed.events.length === 2, "the replay");
  assert.equal(resumed.joins[0].resumed, true);
  assert.equal(resumed.joins[0].replayed, 2);
  assert.deepEqual(resumed.resets, []);
  assert.deepEqual(resumed.events.map(e => e.data.version), [2, 3]);

  const stranger = recorder();
  subscriber.subscribe("summary", stranger.handlers, {since: {seq: 1, epoch: "0000000000000000"}});
  await eventually(() => stranger.resets.length === 1, "the snapshot reset");
  assert.equal(stranger.joins[0].resumed, false);
  assert.equal(stranger.resets[0].epoch, mark.epoch);
  assert.equal(stranger.resets[0].summary.as_of_seq, stranger.resets[0].seq);
});

test("a subscriber resumes across a kill -9 of the server with no gap and no duplicate", async t => {
  const server = await startServer();
  const client = server.client();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const states = [];
  subscriber.onStateChange(s => states.push(s));
  const r = recorder();
  const sub = subscriber.subscribe("sessions", r.handlers);
  await eventually(() => r.resets.length === 1, "the join");

  const id = uniqueId();
  await client.createSession({id, state: "working"});
  for (let i = 1; i <= 20; i++) await client.updateSession(id, {tasks_running: i});
  await eventually(() => r.events.length === 21, "the first events");

  // Writes the subscriber has not seen yet when the server dies: committed, so they must be replayed.
  for (let i = 21; i <= 30; i++) await client.updateSession(id, {tasks_running: i});
  await server.kill9();
  await eventually(() => subscriber.state === "reconnecting", "the drop to be noticed");
  await server.start();
  // Written after the restart, possibly before the subscriber is back: replayed or live, exactly once.
  for (let i = 31; i <= 40; i++) await client.updateSession(id, {tasks_running: i});
  await client.terminate(id);

  const log = [];
  for (let since = 0, more = true; more;) {
    const page = await client.events({since, limit: 1000});
    log.push(...page.events);
    since = page.next_since;
    more = page.has_more;
  }
  assert.equal(log.length, 42);
  await eventually(() => r.events.length >= log.length, "every logged event at the subscriber", 30000);
  assert.deepEqual(r.events.map(e => e.seq), log.map(e => e.seq), "the subscriber saw the log exactly");
  assert.deepEqual(r.events.map(e => e.data.changes?.tasks_running ?? null).slice(1, 41), Array.from({length: 40}, (_, i) => i + 1));
  assert.equal(sub.duplicatesDropped, 0, "the server sent no duplicate");
  assert.equal(r.resets.length, 1, "no snapshot reset: the rejoin resumed");
  assert.ok(r.joins.length >= 2 && r.joins.slice(1).every(j => j.resumed), JSON.stringify(r.joins));
  assert.deepEqual(sub.position, {seq: log.at(-1).seq, epoch: log.at(-1).epoch});
  assert.ok(states.includes("reconnecting") && states.at(-1) === "open", states.join(","));
});

test("two subscriptions to one topic with different filters both get their own events", async t => {
  const server = await startServer();
  const client = server.client();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const red = recorder();
  const blue = recorder();
  subscriber.subscribe("sessions", red.handlers, {labels: {team: "red"}});
  subscriber.subscribe("sessions", blue.handlers, {labels: {team: "blue"}});
  await eventually(() => red.resets.length === 1 && blue.resets.length === 1, "both joins");
  await client.createSession({id: uniqueId("red"), labels: {team: "red"}});
  await client.createSession({id: uniqueId("blue"), labels: {team: "blue"}});
  await eventually(() => red.events.length === 1 && blue.events.length === 1, "one event each");
  assert.equal(red.events[0].data.session.labels.team, "red");
  assert.equal(blue.events[0].data.session.labels.team, "blue");
  assert.equal(subscriber.state, "open");
});
