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
