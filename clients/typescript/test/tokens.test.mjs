// Subscriber tokens (`POST /api/tokens`) minted with createSubscriberToken against a real server with auth on, then
// used by the SDK's Subscriber: the token joins what it names, is refused the rest, and sees only its labels.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem} from "../dist/index.js";
import {Server, eventually, startServer, uniqueId} from "./server.mjs";

const keys = {operator: "op-0123456789abcdef", read: "rd-0123456789abcdef"};
let server;
before(async () => {
  server = await Server.start({env: {SWITCHBOARD_API_KEYS: `${keys.operator}, ${keys.read}:read`}});
});
after(async () => {
  await server?.stop();
});

function recorder() {
  const r = {events: [], resets: [], errors: [], summaries: []};
  r.handlers = {
    onEvent: e => r.events.push(e),
    onReset: s => r.resets.push(s),
    onJoinError: e => r.errors.push(e),
    onSummary: s => r.summaries.push(s),
  };
  return r;
}

async function refused(call) {
  const e = await call.then(() => assert.fail("expected a problem"), e => e);
  assert.ok(e instanceof SwitchboardProblem, String(e));
  return e;
}

test("a minted token joins the topics it names and is refused the others", async t => {
  const client = server.client({apiKey: keys.operator});
  const before = Date.now();
  const minted = await client.createSubscriberToken({topics: ["sessions", "session:agent-*"], ttl_seconds: 120});
  assert.equal(typeof minted.token, "string");
  assert.equal(minted.token.split(".").length, 3, "a JWT");
  assert.equal(minted.token_type, "Bearer");
  assert.deepEqual(minted.topics, ["sessions", "session:agent-*"]);
  assert.equal(minted.labels, null);
  assert.ok(minted.expires_in > 100 && minted.expires_in <= 120, `expires_in ${minted.expires_in}`);
  const expires = Date.parse(minted.expires_at);
  assert.ok(expires >= before + 119_000 && expires <= Date.now() + 121_000, minted.expires_at);

  const agent = uniqueId("agent");
  const other = uniqueId("other");
  const subscriber = server.subscriber({token: minted.token});
  t.after(() => subscriber.disconnect());
  const sessions = recorder();
  const mine = recorder();
  const summary = recorder();
  const foreign = recorder();
  subscriber.subscribe("sessions", sessions.handlers);
  subscriber.subscribe(`session:${agent}`, mine.handlers);
  subscriber.subscribe("summary", summary.handlers);
  subscriber.subscribe(`session:${other}`, foreign.handlers);
  await eventually(() => sessions.resets.length === 1 && mine.resets.length === 1, "the joins the token covers");
  await eventually(() => summary.errors.length >= 1 && foreign.errors.length >= 1, "the refusals");
  for (const r of [summary, foreign]) {
    assert.equal(r.errors[0].reason, "unauthorized");
    assert.equal(r.resets.length, 0);
  }
  assert.equal(mine.resets[0].session, null);

  await client.createSession({id: agent, name: "covered"});
  await client.createSession({id: other, name: "not covered"});
  await eventually(() => mine.events.length === 1 && sessions.events.length === 2, "the covered topics' events");
  assert.equal(mine.events[0].session_id, agent);
  assert.deepEqual(sessions.events.map(e => e.session_id), [agent, other]);
  assert.equal(foreign.events.length, 0);
  assert.equal(summary.summaries.length, 0);
});

test("a token with labels sees only the sessions carrying them, and still gets fleet_updated", async t => {
  const client = server.client({apiKey: keys.operator});
  const red = uniqueId("red");
  const blue = uniqueId("blue");
  await client.createSession({id: red, labels: {team: "red"}});
  await client.createSession({id: blue, labels: {team: "blue"}});

  // A read key may mint too: a token only opens streams.
  const minted = await server.client({apiKey: keys.read}).createSubscriberToken({labels: {team: "red"}});
  assert.deepEqual(minted.labels, {team: "red"});
  // The default topics, without the fleet-wide `summary` and `usage` since the token has labels.
  assert.deepEqual([...minted.topics].sort(), ["session:*", "sessions"]);

  const subscriber = server.subscriber({token: minted.token});
  t.after(() => subscriber.disconnect());
  const r = recorder();
  subscriber.subscribe("sessions", r.handlers);
  await eventually(() => r.resets.length === 1, "the join");
  assert.ok(r.resets[0].sessions.some(s => s.id === red));
  assert.ok(!r.resets[0].sessions.some(s => s.id === blue));
  assert.ok(r.resets[0].summary == null, "no fleet-wide summary for a labels-scoped token");

  await client.updateSession(blue, {state: "working"});
  await client.updateSession(red, {state: "working"});
  await client.pauseFleet();
  t.after(() => client.resumeFleet());
  await eventually(() => r.events.some(e => e.type === "fleet_updated"), "fleet_updated");
  assert.deepEqual(r.events.map(e => [e.type, e.session_id ?? null]), [["session_updated", red], ["fleet_updated", null]]);
});

test("bad input is the server's 400 as a SwitchboardProblem naming the field, and a token needs a key", async () => {
  const client = server.client({apiKey: keys.operator});
  const cases = [
    [{topics: []}, "topics"],
    [{topics: ["sesions"]}, "topics"],
    [{topics: ["summary"], labels: {team: "red"}}, "topics"],
    [{labels: {}}, "labels"],
    [{ttl_seconds: 0}, "ttl_seconds"],
    [{ttl_seconds: 86_401}, "ttl_seconds"],
  ];
  for (const [request, field] of cases) {
    const e = await refused(client.createSubscriberToken(request));
    assert.equal(e.status, 400, JSON.stringify(request));
    assert.equal(e.code, "invalid_field", JSON.stringify(request));
    assert.equal(e.field, field, JSON.stringify(request));
    assert.ok(e.detail.length > 0);
  }
  const unknown = await refused(client.createSubscriberToken(/** @type {any} */ ({scope: "all"})));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.field, "scope");

  const anonymous = await refused(server.client().createSubscriberToken({topics: ["sessions"]}));
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.code, "unauthorized");
});

test("with auth off there is no token to mint: 404 auth_disabled", async () => {
  const open = await startServer();
  const e = await refused(open.client().createSubscriberToken());
  assert.equal(e.status, 404);
  assert.equal(e.code, "auth_disabled");
});
