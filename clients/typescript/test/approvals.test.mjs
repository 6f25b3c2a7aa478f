// Approvals in the TypeScript client against the real server: a handle asks a person and waits; another client answers.
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

for (const decision of ["allow", "deny"]) {
  test(`handle.requestApproval waits until an operator answers on another client (${decision})`, async () => {
    const handle = await client.startSession({id: uniqueId("ask"), state: "working"});
    const asking = handle.requestApproval({summary: "Rotate the production keys", tool: "vault"}, {waitSeconds: 30});
    const operator = server.client();
    let pending;
    await eventually(async () => (pending = (await operator.listApprovals(handle.id, {state: ["pending"]})).approvals[0]) !== undefined, "a pending approval");
    assert.equal(pending.summary, "Rotate the production keys");
    assert.equal((await operator.getSession(handle.id)).state, "waiting");

    await operator.answerApproval(handle.id, pending.id, {decision, note: "ok by me"});
    const answered = await asking;
    assert.equal(answered.id, pending.id);
    assert.equal(answered.state, decision === "allow" ? "allowed" : "denied");
    assert.equal(answered.note, "ok by me");
    assert.equal((await operator.getSession(handle.id)).state, "working");
    await assert.rejects(operator.answerApproval(handle.id, pending.id, {decision: decision === "allow" ? "deny" : "allow"}),
      e => e instanceof SwitchboardProblem && e.status === 409 && e.code === "approval_not_pending");
    const types = (await client.events({sessionId: handle.id})).events.map(e => e.type).filter(t => t.startsWith("approval_"));
    assert.deepEqual(types, ["approval_requested", "approval_answered"]);
    await handle.terminate();
  });
}

test("a session's topic and the approvals topic deliver approval_requested and approval_answered, typed; the join reply lists what is pending", async t => {
  const id = uniqueId("asked");
  await client.createSession({id, state: "working"});
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const own = {events: [], resets: []};
  subscriber.subscribe(`session:${id}`, {onEvent: e => own.events.push(e), onReset: s => own.resets.push(s)});
  await eventually(() => own.resets.length === 1, "the session topic's join");

  const asking = client.requestApproval(id, {summary: "Drop the staging database", tool: "psql"}, {waitSeconds: 30});
  asking.catch(() => undefined); // awaited below; a failure before then is reported there
  const requested = await eventually(() => own.events.find(e => e.type === "approval_requested"), "approval_requested");
  assert.equal(requested.session_id, id);
  assert.equal(requested.data.approval.state, "pending");
  assert.equal(requested.data.approval.summary, "Drop the staging database");

  const fleet = {events: [], resets: []};
  subscriber.subscribe("approvals", {onEvent: e => fleet.events.push(e), onReset: s => fleet.resets.push(s)});
  await eventually(() => fleet.resets.length === 1, "the approvals topic's join");
  assert.ok(fleet.resets[0].approvals.some(a => a.id === requested.data.approval.id && a.state === "pending"), "pending at the join");
  assert.equal(fleet.resets[0].approvals_complete, true);

  await server.client().answerApproval(id, requested.data.approval.id, {decision: "deny", note: "not today"});
  await asking;
  for (const r of [own, fleet]) {
    const answered = await eventually(() => r.events.find(e => e.type === "approval_answered"), "approval_answered");
    assert.equal(answered.data.approval.id, requested.data.approval.id);
    assert.equal(answered.data.approval.state, "denied");
    assert.equal(answered.data.approval.note, "not today");
  }
  assert.ok(fleet.events.every(e => e.type.startsWith("approval_")), "the approvals topic carries approval events only");
  await client.terminate(id);
});
