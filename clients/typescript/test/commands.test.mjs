// Commands in the TypeScript client against the real server: a handle receives a command through its heartbeat answers
// and through its socket, the onCommand handler obeys it and the handle acknowledges it when the handler resolves;
// the typed calls issue, list, poll, read, acknowledge and withdraw.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem} from "../dist/index.js";
import {Server, eventually, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

const commandTypes = async id => (await client.events({sessionId: id})).events.map(e => e.type).filter(t => t.startsWith("command_"));

test("a leased handle learns a command from its heartbeat answers, obeys it, and acknowledges it when the handler resolves", async () => {
  const handle = await client.startSession({id: uniqueId("beat"), lease_seconds: 1});
  const received = [];
  handle.onCommand(async command => {
    received.push(command);
    handle.update({state: "paused"});
    await handle.flush();
    return {outcome: "done", note: "paused"};
  });
  const issued = await client.issueCommand(handle.id, {type: "pause", text: "hold on"});
  assert.equal(issued.state, "pending");
  await eventually(async () => (await client.getCommand(handle.id, issued.id)).state === "acknowledged", "the acknowledgement");
  const answered = await client.getCommand(handle.id, issued.id);
  assert.equal(answered.outcome, "done");
  assert.equal(answered.note, "paused");
  assert.equal(received.length, 1);
  assert.equal(received[0].state, "delivered", "handed over in a heartbeat answer");
  assert.equal((await client.getSession(handle.id)).state, "paused");
  assert.deepEqual(await commandTypes(handle.id), ["command_issued", "command_delivered", "command_acknowledged"]);
  await handle.terminate();
});

test("a handle with a subscriber takes commands from its session's topic with no heartbeat, once each, and a failing handler acknowledges failed", async t => {
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const handle = await client.startSession({id: uniqueId("socket")}, {subscriber}); // no lease: no heartbeats
  const received = [];
  handle.onCommand(command => {
    received.push(command);
    if (command.type === "message") throw new Error("cannot read that");
  });
  const message = await client.issueCommand(handle.id, {type: "message", text: "hi"});
  await eventually(async () => (await client.getCommand(handle.id, message.id)).state === "acknowledged", "the message answered");
  const failed = await client.getCommand(handle.id, message.id);
  assert.equal(failed.outcome, "failed");
  assert.equal(failed.note, "cannot read that");
  const resume = await client.issueCommand(handle.id, {type: "resume"});
  await eventually(async () => (await client.getCommand(handle.id, resume.id)).state === "acknowledged", "the resume answered");
  assert.deepEqual(received.map(c => [c.type, c.state]), [["message", "pending"], ["resume", "pending"]], "from the topic, before any delivery");
  handle.dispose();
});

test("the typed calls issue, list, poll, read, acknowledge and withdraw, and refusals are problems", async () => {
  const id = uniqueId("calls");
  await client.createSession({id, lease_seconds: 60});
  const first = await client.issueCommand(id, {type: "message", text: "read this", data: {ticket: 7}, expires_in_seconds: 120});
  assert.deepEqual(first.data, {ticket: 7});
  const polled = await client.pollCommands(id, {waitSeconds: 5});
  assert.deepEqual(polled.commands.map(c => [c.id, c.state, c.attempt]), [[first.id, "delivered", 1]]);
  // Handed over once: later answers leave it out until its visibility timeout (the server's Commands:RedeliverAfter).
  const beat = await client.heartbeat(id);
  assert.deepEqual(beat.commands.map(c => c.id), []);
  const resume = await client.issueCommand(id, {type: "resume"});
  const patched = await client.updateSession(id, {tasks_running: 1});
  assert.deepEqual(patched.commands.map(c => [c.id, c.attempt]), [[resume.id, 1]]);
  const second = await client.issueCommand(id, {type: "pause"});
  assert.equal((await client.withdrawCommand(id, second.id)).state, "withdrawn");
  assert.equal((await client.acknowledgeCommand(id, first.id, {outcome: "rejected", note: "not now"})).outcome, "rejected");
  const conflict = await client.acknowledgeCommand(id, first.id, {outcome: "done"}).then(() => null, e => e);
  assert.ok(conflict instanceof SwitchboardProblem);
  assert.equal(conflict.status, 409);
  assert.deepEqual((await client.listCommands(id, {state: ["withdrawn"]})).commands.map(c => c.id), [second.id]);
  const bad = await client.issueCommand(id, {type: "explode"}).then(() => null, e => e);
  assert.equal(bad.status, 400);
  assert.equal(bad.field, "type");
});
