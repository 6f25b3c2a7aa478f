// Alerts and webhooks through the typed calls, against the real server: a rule raises on a session in error, the alert
// is listed and acknowledged; a bad rule is a typed problem naming the field; webhooks are created, listed and deleted.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem, createAlertsView} from "../dist/index.js";
import {Server, eventually, startServer, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

test("a rule raises an alert for a session in error; it is listed open and acknowledged with who and why", async () => {
  const team = uniqueId("team");
  const rule = await client.createAlertRule({
    id: uniqueId("rule"), name: "Errored agents", condition: "session_error", severity: "critical", labels: {team},
  });
  assert.equal(rule.condition, "session_error");
  assert.equal(rule.severity, "critical");
  assert.equal(rule.source, "api");
  assert.equal(rule.enabled, true);
  assert.deepEqual((await client.getAlertRule(rule.id)).labels, {team});
  assert.ok((await client.listAlertRules()).some(r => r.id === rule.id));

  const id = uniqueId();
  await client.createSession({id, state: "working", labels: {team}});
  await client.updateSession(id, {state: "error", error_message: "tool crashed"});

  const alert = await eventually(async () => {
    const open = await client.listAlerts({state: "open"});
    return open.alerts.find(a => a.rule_id === rule.id && a.session_id === id);
  }, "the session_error alert to open");
  assert.equal(alert.state, "open");
  assert.equal(alert.severity, "critical");
  assert.equal(alert.subject, id);
  assert.equal(alert.acknowledged_by, null);
  assert.ok(alert.raised_seq > 0);

  const acked = await client.acknowledgeAlert(alert.id, {by: "ops@example.com", note: "restarting the worker"});
  assert.equal(acked.state, "open", "acknowledging is not resolving");
  assert.equal(acked.acknowledged_by, "ops@example.com");
  assert.equal(acked.note, "restarting the worker");
  assert.ok(acked.acknowledged_at);
  const read = await client.getAlert(alert.id);
  assert.equal(read.acknowledged_by, "ops@example.com");
  assert.equal(read.note, "restarting the worker");

  // Deleting the rule resolves its alert.
  await client.deleteAlertRule(rule.id);
  await assert.rejects(client.getAlertRule(rule.id), e => e instanceof SwitchboardProblem && e.status === 404);
  const resolved = await eventually(async () => {
    const a = await client.getAlert(alert.id);
    return a.state === "resolved" && a;
  }, "the alert to resolve when its rule is deleted");
  assert.equal(resolved.resolve_reason, "rule_deleted");
  assert.ok((await client.listAlerts({state: "resolved"})).alerts.some(a => a.id === alert.id));
});

test("replaceAlertRule creates or replaces a rule under its id", async () => {
  const id = uniqueId("rule");
  const created = await client.replaceAlertRule(id, {name: "Expensive", condition: "session_cost", threshold: 5});
  assert.equal(created.id, id);
  assert.equal(created.threshold, 5);
  const replaced = await client.replaceAlertRule(id, {name: "Very expensive", condition: "session_cost", threshold: 50, enabled: false});
  assert.equal(replaced.name, "Very expensive");
  assert.equal(replaced.threshold, 50);
  assert.equal(replaced.enabled, false);
  await client.deleteAlertRule(id);
});

test("a put over a stale expected_version is a version_conflict and changes nothing", async () => {
  const rule = await client.createAlertRule({id: uniqueId("rule"), name: "Errors", condition: "session_error"});
  assert.equal(rule.version, 1);
  const renamed = await client.replaceAlertRule(rule.id, {name: "Renamed", condition: "session_error", expected_version: rule.version});
  assert.equal(renamed.version, 2);
  const stale = {name: "Stale", condition: "session_error", expected_version: rule.version};
  await assert.rejects(client.replaceAlertRule(rule.id, stale), e => e instanceof SwitchboardProblem && e.status === 409 && e.code === "version_conflict");
  assert.equal((await client.getAlertRule(rule.id)).name, "Renamed");
  await client.deleteAlertRule(rule.id);

  const hook = await client.createWebhook({url: "http://127.0.0.1:9/a"});
  assert.equal(hook.version, 1);
  assert.equal((await client.replaceWebhook(hook.id, {url: "http://127.0.0.1:9/b", expected_version: 1})).version, 2);
  await assert.rejects(client.replaceWebhook(hook.id, {url: "http://127.0.0.1:9/c", expected_version: 1}),
    e => e instanceof SwitchboardProblem && e.status === 409 && e.code === "version_conflict");
  assert.equal((await client.getWebhook(hook.id)).url, "http://127.0.0.1:9/b");
  await client.deleteWebhook(hook.id);
});

test("a bad rule is a typed problem naming the field, and stores nothing", async () => {
  const id = uniqueId("rule");
  await assert.rejects(client.createAlertRule({id, name: "Stuck", condition: "stalled"}), (error) => {
    assert.ok(error instanceof SwitchboardProblem);
    assert.equal(error.status, 400);
    assert.equal(error.field, "seconds");
    return true;
  });
  assert.ok(!(await client.listAlertRules()).some(r => r.id === id));
});

test("a webhook is created (with its secret once), listed, read, replayed and deleted", async () => {
  const created = await client.createWebhook({
    url: "http://127.0.0.1:9/hook", event_types: ["alert_raised"], alert_severities: ["critical"], enabled: false,
  });
  assert.match(created.id, /^wh_/);
  assert.equal(created.url, "http://127.0.0.1:9/hook");
  assert.ok(created.secret && created.secret.length >= 16, "the create answer carries the generated secret");
  assert.deepEqual(created.event_types, ["alert_raised"]);
  assert.equal(created.state, "active");
  assert.equal(created.enabled, false);

  const listed = (await client.listWebhooks()).find(w => w.id === created.id);
  assert.ok(listed, "the webhook is listed");
  assert.ok(!listed.secret, "the secret is not shown again");
  assert.equal((await client.getWebhook(created.id)).format, "json");

  const replaced = await client.replaceWebhook(created.id, {url: "http://127.0.0.1:9/other", enabled: false});
  assert.equal(replaced.url, "http://127.0.0.1:9/other");

  // Replay moves the cursor to just before a seq still in the log (here: a session's creation).
  const sessionId = uniqueId();
  await client.createSession({id: sessionId});
  const head = (await client.events({sessionId, limit: 1})).events[0].seq;
  const replayed = await client.replayWebhook(created.id, head);
  assert.equal(replayed.cursor, head - 1);
  assert.equal(replayed.state, "active");

  await client.deleteWebhook(created.id);
  assert.ok(!(await client.listWebhooks()).some(w => w.id === created.id));
  await assert.rejects(client.getWebhook(created.id), e => e instanceof SwitchboardProblem && e.status === 404);
});

function recorder() {
  const r = {events: [], resets: [], joins: []};
  r.handlers = {onEvent: e => r.events.push(e), onReset: s => r.resets.push(s), onJoin: j => r.joins.push(j)};
  return r;
}

test("the alerts topic: the open alerts in the join reply, then alert_raised, _acknowledged and _resolved, typed; a session's topic gets its own", async t => {
  const team = uniqueId("team");
  const rule = await client.createAlertRule({id: uniqueId("rule"), name: "Errored", condition: "session_error", labels: {team}});
  t.after(() => client.deleteAlertRule(rule.id));
  const before = uniqueId();
  await client.createSession({id: before, state: "working", labels: {team}});
  await client.updateSession(before, {state: "error"});
  const first = await eventually(async () => (await client.listAlerts()).alerts.find(a => a.rule_id === rule.id), "the first alert");

  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const fleet = recorder();
  subscriber.subscribe("alerts", fleet.handlers);
  const id = uniqueId();
  const own = recorder();
  subscriber.subscribe(`session:${id}`, own.handlers);
  await eventually(() => fleet.resets.length === 1 && own.resets.length === 1, "both joins");
  const [reset] = fleet.resets;
  assert.equal(reset.initial, true);
  assert.deepEqual(reset.alerts.find(a => a.id === first.id), first, "the open alert is in the join reply as the API has it");
  assert.ok(reset.alerts.every(a => a.state === "open"));

  await client.createSession({id, state: "working", labels: {team}});
  await client.updateSession(id, {state: "error"});
  const raised = await eventually(() => fleet.events.find(e => e.type === "alert_raised" && e.session_id === id), "alert_raised");
  assert.equal(raised.data.alert.rule_id, rule.id);
  assert.equal(raised.data.alert.state, "open");
  assert.equal(raised.data.alert.raised_seq, raised.seq);
  await client.acknowledgeAlert(raised.data.alert.id, {by: "ops", note: "looking"});
  await client.updateSession(id, {state: "working"});
  await eventually(() => fleet.events.some(e => e.type === "alert_resolved" && e.data.alert.id === raised.data.alert.id), "alert_resolved");
  const mine = fleet.events.filter(e => e.data.alert.id === raised.data.alert.id);
  assert.deepEqual(mine.map(e => e.type), ["alert_raised", "alert_acknowledged", "alert_resolved"]);
  assert.equal(mine[1].data.alert.acknowledged_by, "ops");
  assert.equal(mine[2].data.alert.resolve_reason, "cleared");
  assert.ok(fleet.events.every(e => e.type.startsWith("alert_")), "the alerts topic carries alert events only");

  // The session's own topic delivers its alert events in seq order among its session events.
  await eventually(() => own.events.some(e => e.type === "alert_resolved"), "the session topic's alert_resolved");
  const types = own.events.map(e => e.type);
  assert.deepEqual(types.filter(t => t.startsWith("alert_")), ["alert_raised", "alert_acknowledged", "alert_resolved"]);
  assert.deepEqual(own.events.map(e => e.seq), [...own.events.map(e => e.seq)].sort((a, b) => a - b));
});

test("createAlertsView keeps the open alerts equal to the server's, newest first, and resumes across a kill -9 without a reset", async t => {
  const own = await startServer();
  const api = own.client();
  await api.createAlertRule({id: "errored", name: "Errored", condition: "session_error", severity: "critical"});
  const fail = async id => {
    await api.createSession({id, state: "working"});
    await api.updateSession(id, {state: "error"});
  };
  const alertOf = id => eventually(async () => (await api.listAlerts()).alerts.find(a => a.session_id === id), `the alert of ${id}`);
  const sameAsServer = async view => {
    const open = (await api.listAlerts({state: "open"})).alerts;
    try {
      assert.deepEqual(view.getState().alerts, open);
      return true;
    } catch {
      return false;
    }
  };
  await fail("a");
  await alertOf("a");

  const subscriber = own.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createAlertsView({subscriber});
  t.after(() => view.close());
  await view.ready;
  assert.equal(view.getState().ready, true);
  assert.deepEqual(view.getState().alerts.map(a => a.session_id), ["a"], "from the join reply");

  await fail("b");
  const a = await alertOf("a");
  await api.acknowledgeAlert(a.id, {by: "ops", note: "on it"});
  await eventually(() => sameAsServer(view), "the view to equal the server (raised, acknowledged)");
  assert.deepEqual(view.getState().alerts.map(x => [x.session_id, x.acknowledged_by]), [["b", null], ["a", "ops"]]);
  assert.equal(view.getState().byId.get(a.id).note, "on it");

  // Committed before the kill, perhaps not yet delivered: replayed on the rejoin, as is what is written after the restart.
  await api.updateSession("a", {state: "working"});
  await own.kill9();
  await eventually(() => subscriber.state === "reconnecting", "the drop to be noticed");
  await own.start();
  await fail("c");
  await alertOf("c");
  await eventually(() => sameAsServer(view), "the view to equal the server after the restart", 30000);
  const state = view.getState();
  assert.deepEqual(state.alerts.map(x => x.session_id), ["c", "b"]);
  assert.equal(state.resets, 1, "the rejoin resumed by seq: no snapshot reset");
  assert.equal(state.seq, (await api.listAlerts()).alerts[0].raised_seq);
});
