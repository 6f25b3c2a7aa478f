// Approvals in the TypeScript client against the real server: a handle asks a person and waits; another client answers.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {ApprovalAnswer, SwitchboardProblem} from "../dist/index.js";
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

// Approvals only a hook can ask (a question, "allow always" suggestions), posted to the real /hooks/claude-code as the
// agent posts them; the request is held until the approval is answered and resolves with what the agent would read.
function permissionRequest(agent, tool, input, suggestions = []) {
  const answer = fetch(`${server.url}/hooks/claude-code`, {
    method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({
      session_id: agent, hook_event_name: "PermissionRequest", cwd: "/work/repo", permission_mode: "default",
      tool_name: tool, tool_input: input, permission_suggestions: suggestions,
    }),
  }).then(async r => {
    assert.equal(r.status, 200);
    return (await r.json()).hookSpecificOutput.decision;
  });
  answer.catch(() => undefined); // awaited by the test; a failure before then is reported there
  return answer;
}

async function pending(sessionId) {
  return eventually(async () => {
    try {
      return (await client.listApprovals(sessionId, {state: ["pending"]})).approvals[0];
    } catch (e) {
      if (e instanceof SwitchboardProblem && e.status === 404) return undefined; // the hook has not arrived yet
      throw e;
    }
  }, "the hook's approval to be pending");
}

const npmTest = [{type: "addRules", rules: [{toolName: "Bash", ruleContent: "npm test *"}], behavior: "allow", destination: "localSettings"}];

test("ApprovalAnswer.allow({suggestion}) allows always: the agent gets its own rule back", async () => {
  const agent = uniqueId("always");
  const hook = permissionRequest(agent, "Bash", {command: "npm test"}, npmTest);
  const approval = await pending(`otel:s:${agent}`);
  assert.equal(approval.suggestions.length, 1);
  assert.equal(approval.suggestions[0].scope, "local");

  await assert.rejects(client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.allow({suggestion: 1})),
    e => e instanceof SwitchboardProblem && e.status === 400 && e.field === "suggestion", "an index past the suggestions");
  const answered = await client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.allow({suggestion: 0}));
  assert.equal(answered.state, "allowed");
  assert.equal(answered.applied_suggestion, 0);
  const decision = await hook;
  assert.equal(decision.behavior, "allow");
  assert.deepEqual(decision.updatedPermissions, npmTest);
});

test("ApprovalAnswer.deny({note, interrupt}) tells the agent why and stops it", async () => {
  const agent = uniqueId("denied");
  const hook = permissionRequest(agent, "Bash", {command: "rm -rf build"});
  const approval = await pending(`otel:s:${agent}`);
  const answered = await client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.deny({note: "use make clean", interrupt: true}));
  assert.equal(answered.state, "denied");
  assert.equal(answered.note, "use make clean");
  assert.equal(answered.interrupt, true);
  const decision = await hook;
  assert.equal(decision.behavior, "deny");
  assert.equal(decision.message, "Denied by the operator (Switchboard): use make clean");
  assert.equal(decision.interrupt, true);
});

test("ApprovalAnswer.answer(answers) answers a question; a question is not allowed, and every question needs an answer", async () => {
  const agent = uniqueId("asks");
  const questions = [{question: "Which color?", header: "Color", multiSelect: false,
    options: [{label: "Blue", description: "Choose Blue"}, {label: "Red", description: "Choose Red"}]}];
  const hook = permissionRequest(agent, "AskUserQuestion", {questions});
  const approval = await pending(`otel:s:${agent}`);
  assert.equal(approval.kind, "question");
  assert.equal(approval.questions[0].question, "Which color?");

  await assert.rejects(client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.allow()),
    e => e instanceof SwitchboardProblem && e.status === 400 && e.field === "decision", "a question is answered, not allowed");
  await assert.rejects(client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.answer({})),
    e => e instanceof SwitchboardProblem && e.status === 400 && e.field === "answers", "every question needs an answer");
  assert.equal((await client.getApproval(approval.session_id, approval.id)).state, "pending", "a refused answer changes nothing");

  const answered = await client.answerApproval(approval.session_id, approval.id, ApprovalAnswer.answer({"Which color?": "Red"}));
  assert.equal(answered.state, "allowed");
  assert.deepEqual(answered.answers, {"Which color?": "Red"});
  const decision = await hook;
  assert.equal(decision.behavior, "allow");
  assert.equal(decision.updatedInput.answers["Which color?"], "Red");
  assert.deepEqual(decision.updatedInput.questions, questions, "the questions go back untouched");
});
