// Error statuses arrive as typed SwitchboardProblem errors carrying the server's problem details.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem, SwitchboardTransportError, isProblem} from "../dist/index.js";
import {Server, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

test("a missing session is a 404 problem with code session_not_found", async () => {
  const id = uniqueId("missing");
  const error = await client.getSession(id).then(() => null, e => e);
  assert.ok(error instanceof SwitchboardProblem, String(error));
  assert.ok(error instanceof Error);
  assert.equal(error.status, 404);
  assert.equal(error.code, "session_not_found");
  assert.equal(error.type, "urn:switchboard:problem:session_not_found");
  assert.match(error.detail, /does not exist/);
  assert.ok(isProblem(error, "session_not_found"));
  assert.equal(error.problem.instance, `/api/sessions/${id}`);
});

test("a bad field is a 400 problem naming the field, and nothing is created", async () => {
  const id = uniqueId();
  const error = await client.createSession({id, state: "sleeping"}).then(() => null, e => e);
  assert.ok(error instanceof SwitchboardProblem, String(error));
  assert.equal(error.status, 400);
  assert.equal(error.field, "state");
  await assert.rejects(client.getSession(id), e => isProblem(e, "session_not_found"));
});

test("a stale expected_version is a 409 problem and changes nothing", async () => {
  const id = uniqueId();
  await client.createSession({id, name: "v1"});
  await client.updateSession(id, {name: "v2"});
  const error = await client.updateSession(id, {name: "v3", expected_version: 1}).then(() => null, e => e);
  assert.ok(error instanceof SwitchboardProblem, String(error));
  assert.equal(error.status, 409);
  assert.equal((await client.getSession(id)).name, "v2");
});

test("a duplicate id is a 409 problem", async () => {
  const id = uniqueId();
  await client.createSession({id});
  await assert.rejects(client.createSession({id}), e => e instanceof SwitchboardProblem && e.status === 409 && e.code.length > 0);
});

test("a server that cannot be reached is a transport error, not a problem", async () => {
  const gone = server.client({url: "http://127.0.0.1:9"});
  await assert.rejects(gone.summary(), e => e instanceof SwitchboardTransportError && !(e instanceof SwitchboardProblem));
});

test("the session handle reports a failed background update on the next flush", async () => {
  const handle = await client.startSession({id: uniqueId()});
  handle.update({state: "sleeping"});
  await assert.rejects(handle.flush(), e => e instanceof SwitchboardProblem && e.status === 400 && e.field === "state");
  assert.equal((await client.getSession(handle.id)).state, "working");
  await handle.terminate();
});
