// Alerts and webhooks through the typed calls, against the real server: a rule raises on a session in error, the alert
// is listed and acknowledged; a bad rule is a typed problem naming the field; webhooks are created, listed and deleted.
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
