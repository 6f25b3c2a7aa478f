// Following the webhook endpoints live (`subscriber.followWebhooks`, the `webhooks` topic) against the real server: the
// whole list on join, again when an endpoint is created and when a delivery attempt changes its state, typed as
// listWebhooks() answers it; the list again after a reconnect; a labels-scoped key is refused as any join is. And
// createWebhooksView, the store the React hook useWebhooks reads, kept equal to listWebhooks() by those pushes.
import {test} from "node:test";
import assert from "node:assert/strict";
import {createWebhooksView} from "../dist/index.js";
import {eventually, startServer, uniqueId} from "./server.mjs";

test("followWebhooks hands over the whole list on join, on a create and on each delivery attempt, and again after a restart", async t => {
  const server = await startServer();
  const client = server.client();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const lists = [];
  const joins = [];
  const errors = [];
  const subscription = subscriber.followWebhooks((webhooks, event) => {
    assert.equal(event.type, "webhooks");
    assert.equal(event.seq, null, "derived state, not a logged event");
    lists.push(webhooks);
  }, {onJoin: info => joins.push(info), onJoinError: e => errors.push(e)});
  t.after(() => subscription.unsubscribe());

  // No endpoints yet: the first push is an empty list.
  await eventually(() => lists.length >= 1, "the first list");
  assert.deepEqual(lists[0], []);
  assert.equal(joins.length, 1);

  // An endpoint nobody listens on: it shows as listWebhooks() lists it, without its secret.
  const created = await client.createWebhook({id: "ops", url: "http://127.0.0.1:9/hook"});
  assert.ok(created.secret, "the create answer has the secret");
  const shown = await eventually(() => lists.find(l => l.length === 1 && l[0].id === "ops"), "the endpoint in a push");
  assert.equal(shown[0].url, "http://127.0.0.1:9/hook");
  assert.equal(shown[0].state, "active");
  assert.equal(shown[0].attempts, 0);
  assert.ok(!shown[0].secret, "the topic never carries secrets");

  // A session write is an event to deliver: the attempt fails, and the pushed state says so.
  await client.createSession({id: uniqueId("hooked")});
  const failed = await eventually(
    () => lists.find(l => l.length === 1 && l[0].attempts >= 1 && l[0].last_error !== null), "a failed attempt in a push");
  const endpoint = failed[0];
  assert.ok(endpoint.failures >= 1 && endpoint.consecutive_failures >= 1, JSON.stringify(endpoint));
  assert.ok(endpoint.lag >= 1, "the event is still to deliver: " + JSON.stringify(endpoint));
  assert.equal(endpoint.cursor, shown[0].cursor, "a failed delivery does not move the cursor");

  // What was pushed is typed and read as the API lists it.
  const listed = await client.listWebhooks();
  assert.deepEqual(Object.keys(listed[0]).sort(), Object.keys(endpoint).sort());
  assert.equal(listed[0].id, endpoint.id);

  // A restart drops the socket; the rejoin brings the current list again (nothing to resume: it is whole).
  const before = lists.length;
  await server.kill9();
  await server.start();
  const again = await eventually(() => lists.length > before && lists.at(-1), "the list after the reconnect", 30000);
  assert.equal(again.length, 1);
  assert.equal(again[0].id, "ops");
  assert.ok(again[0].attempts >= 1, "the delivery state was kept: " + JSON.stringify(again[0]));
  assert.ok(joins.length >= 2, "joined again");
  assert.deepEqual(errors, []);

  // Removing the endpoint empties the list; after unsubscribe nothing more is handed over.
  await client.deleteWebhook("ops");
  await eventually(() => lists.at(-1).length === 0, "the empty list after the delete");
  subscription.unsubscribe();
  const count = lists.length;
  await client.createWebhook({id: "later", url: "http://127.0.0.1:9/later"});
  await new Promise(r => setTimeout(r, 1500));
  assert.equal(lists.length, count, "no push after unsubscribe");
});

test("a labels-scoped key is refused the webhooks topic: onJoinError gets unauthorized and no list", async t => {
  const keys = {operator: "wh-op-0123456789abcdef", red: "wh-red-0123456789abcdef"};
  const server = await startServer({env: {SWITCHBOARD_API_KEYS: `${keys.operator}, ${keys.red} team=red`}});
  // The scoped key opens streams as a token with its labels: mint one with it (its labels are added to the token's).
  const minted = await server.client({apiKey: keys.red}).createSubscriberToken({});
  assert.deepEqual(minted.labels, {team: "red"});
  const scoped = server.subscriber({token: minted.token});
  t.after(() => scoped.disconnect());
  const lists = [];
  const errors = [];
  const subscription = scoped.followWebhooks(webhooks => lists.push(webhooks), {onJoinError: e => errors.push(e)});
  t.after(() => subscription.unsubscribe());
  await eventually(() => errors.length >= 1, "the refusal");
  assert.equal(errors[0].reason, "unauthorized");

  // An unscoped token follows the same topic on the same server.
  const full = await server.client({apiKey: keys.operator}).createSubscriberToken({topics: ["webhooks"]});
  const operator = server.subscriber({token: full.token});
  t.after(() => operator.disconnect());
  const seen = [];
  operator.followWebhooks(webhooks => seen.push(webhooks));
  await eventually(() => seen.length >= 1, "the operator's list");
  assert.deepEqual(seen[0], []);
  assert.deepEqual(lists, [], "the scoped follower got nothing");
});

test("createWebhooksView keeps the endpoints equal to listWebhooks(): a new state on each push, the same one between, again after a restart", async t => {
  const server = await startServer();
  const client = server.client();
  const subscriber = server.subscriber();
  t.after(() => subscriber.disconnect());
  const view = createWebhooksView({subscriber});
  t.after(() => view.close());
  let changes = 0;
  view.subscribe(() => changes++);
  const sameAsServer = async () => {
    try {
      assert.deepEqual(view.getState().webhooks, await client.listWebhooks());
      return true;
    } catch {
      return false;
    }
  };

  assert.deepEqual(view.getState(), {webhooks: [], byId: new Map(), at: null, ready: false}, "empty before the first push");
  await view.ready;
  const first = view.getState();
  assert.equal(first.ready, true);
  assert.deepEqual(first.webhooks, []);
  assert.ok(first.at, "the push's time");
  assert.equal(view.getState(), first, "the same state object until something changes (useSyncExternalStore)");
  assert.equal(changes, 1);

  await client.createWebhook({id: "ops", url: "http://127.0.0.1:9/hook"});
  await client.createSession({id: uniqueId("hooked")});
  await eventually(() => view.getState().webhooks[0]?.last_error, "the failed attempt in the view");
  await eventually(sameAsServer, "the view to equal listWebhooks()");
  const failed = view.getState();
  assert.notEqual(failed, first);
  assert.ok(changes >= 2, `a listener call per push (${changes})`);
  assert.equal(failed.byId.get("ops"), failed.webhooks[0]);
  assert.ok(!failed.webhooks[0].secret, "no secret in the view");

  // A restart drops the socket; the rejoin's push brings the current list, the delivery state kept.
  const before = changes;
  await server.kill9();
  await eventually(() => subscriber.state === "reconnecting", "the drop to be noticed");
  await server.start();
  await eventually(() => changes > before, "a push after the reconnect", 30000);
  await client.createWebhook({id: "two", url: "http://127.0.0.1:9/two"});
  await eventually(async () => view.getState().byId.has("two") && (await sameAsServer()), "the second endpoint in the view", 30000);
  assert.ok(view.getState().byId.get("ops").attempts >= 1, "the delivery state survived the restart");

  // Removing one leaves the other; after close() nothing more is applied or announced.
  await client.deleteWebhook("ops");
  await eventually(() => view.getState().webhooks.map(w => w.id).join() === "two", "the delete in the view");
  view.close();
  const closed = view.getState();
  const count = changes;
  await client.deleteWebhook("two");
  await new Promise(r => setTimeout(r, 1500));
  assert.equal(view.getState(), closed, "closed: no more pushes applied");
  assert.equal(changes, count);
});
