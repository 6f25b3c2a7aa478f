// The fleet pause switch (`/api/fleet`): pauseFleet, resumeFleet and getFleet against a real server. The flag is what
// the server's README says it is: something every producer can read and every consumer sees in the summary and as a
// `fleet_updated` event; it stops no write. Only an operator key may flip it.
import {test} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem} from "../dist/index.js";
import {eventually, startServer, uniqueId} from "./server.mjs";

test("pauseFleet and resumeFleet flip the flag getFleet, the summary and fleet_updated show; writes go on", async t => {
  const server = await startServer();
  const client = server.client();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const events = [];
  const summaries = [];
  const resets = [];
  subscriber.subscribe("sessions", {onEvent: e => events.push(e), onSummary: s => summaries.push(s), onReset: r => resets.push(r)});
  await eventually(() => resets.length === 1, "the join");
  assert.equal(resets[0].summary.is_paused, false);
  assert.deepEqual(await client.getFleet(), {is_paused: false});

  assert.deepEqual(await client.pauseFleet(), {is_paused: true});
  assert.deepEqual(await client.getFleet(), {is_paused: true});
  assert.equal((await client.summary()).is_paused, true);
  await eventually(() => events.some(e => e.type === "fleet_updated"), "fleet_updated");
  const paused = events.find(e => e.type === "fleet_updated");
  assert.deepEqual(paused.data, {is_paused: true});
  assert.equal(paused.session_id, null);
  await eventually(() => summaries.some(s => s.is_paused && s.as_of_seq >= paused.seq), "a paused summary");

  // Pausing a paused fleet answers the flag and changes nothing: no second event on the log.
  assert.deepEqual(await client.pauseFleet(), {is_paused: true});

  // The flag is for producers to read: a paused fleet still takes their writes.
  const id = uniqueId("while-paused");
  const created = await client.createSession({id, state: "working"});
  assert.equal(created.state, "working");
  await eventually(() => events.some(e => e.type === "session_created" && e.session_id === id), "the session created while paused");

  assert.deepEqual(await client.resumeFleet(), {is_paused: false});
  assert.deepEqual(await client.getFleet(), {is_paused: false});
  assert.equal((await client.summary()).is_paused, false);
  await eventually(() => events.filter(e => e.type === "fleet_updated").length === 2, "the second fleet_updated");
  const flags = events.filter(e => e.type === "fleet_updated").map(e => e.data.is_paused);
  assert.deepEqual(flags, [true, false]);
  const log = await client.events({since: 0});
  assert.deepEqual(log.events.filter(e => e.type === "fleet_updated").map(e => e.data.is_paused), [true, false]);
});

test("with auth on only an operator key pauses; others get the server's 403 as a SwitchboardProblem", async () => {
  const keys = {operator: "op-0123456789abcdef", read: "rd-0123456789abcdef", agent: "ag-0123456789abcdef", scoped: "sc-0123456789abcdef"};
  const server = await startServer({env: {
    SWITCHBOARD_API_KEYS: `${keys.operator}, ${keys.read}:read, ${keys.agent}:agent, ${keys.scoped} team=red`,
  }});
  const as = role => server.client({apiKey: keys[role]});
  const refused = async (call, status, code) => {
    const e = await call.then(() => assert.fail("expected a problem"), e => e);
    assert.ok(e instanceof SwitchboardProblem, String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    return e;
  };

  await refused(as("agent").pauseFleet(), 403, "insufficient_role");
  await refused(as("read").pauseFleet(), 403, "insufficient_scope");
  await refused(as("scoped").pauseFleet(), 403, "insufficient_scope");
  await refused(server.client().pauseFleet(), 401, "unauthorized");
  await refused(server.client().getFleet(), 401, "unauthorized");
  // Any key reads the flag (it is no session data): still not paused.
  for (const role of ["read", "agent", "scoped"]) assert.deepEqual(await as(role).getFleet(), {is_paused: false});

  assert.deepEqual(await as("operator").pauseFleet(), {is_paused: true});
  await refused(as("agent").resumeFleet(), 403, "insufficient_role");
  assert.deepEqual(await as("read").getFleet(), {is_paused: true});
  assert.deepEqual(await as("operator").resumeFleet(), {is_paused: false});
});
