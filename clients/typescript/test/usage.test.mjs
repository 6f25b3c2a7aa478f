// Usage history (GET /api/usage) through the typed call, against the real server (rolled up by team: server.mjs).
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {SwitchboardProblem} from "../dist/index.js";
import {Server, uniqueId} from "./server.mjs";

let server;
let client;
before(async () => {
  server = await Server.start();
  client = server.client();
});
after(() => server?.stop());

const sum = (series, field) => series.points.reduce((total, p) => total + p[field], 0);

test("usage history totals the fleet and splits it by a rolled-up label, as of a seq", async () => {
  const red = uniqueId();
  const blue = uniqueId();
  await client.createSession({id: red, labels: {team: "red"}});
  await client.createSession({id: blue, labels: {team: "blue"}});
  await client.addUsage(red, {input_tokens: 100, output_tokens: 20, cost_usd: 0.5});
  await client.addUsage(blue, {input_tokens: 7, output_tokens: 3, cost_usd: 0.25});

  const fleet = await client.usage({bucket: "1m", since: "1h"});
  assert.equal(fleet.bucket, "1m");
  assert.equal(fleet.group_by, "all");
  assert.ok(fleet.as_of_seq >= 4, "counts at least the six writes' events");
  assert.equal(fleet.series.length, 1);
  assert.deepEqual(fleet.series[0].group, {});
  assert.equal(sum(fleet.series[0], "total_tokens"), 130);
  assert.equal(sum(fleet.series[0], "sessions_created"), 2);
  assert.ok(Math.abs(sum(fleet.series[0], "cost_usd") - 0.75) < 1e-9);

  const redOnly = await client.usage({bucket: "1h", since: new Date(Date.now() - 3_600_000), groupBy: "team", values: ["red"]});
  assert.equal(redOnly.group_by, "label:team");
  assert.deepEqual(redOnly.series.map(s => s.group), [{team: "red"}]);
  assert.equal(sum(redOnly.series[0], "input_tokens"), 100);
  assert.equal(sum(redOnly.series[0], "output_tokens"), 20);
});

test("a label the server does not roll up by is a typed problem naming the field", async () => {
  await assert.rejects(client.usage({groupBy: "model"}), (error) => {
    assert.ok(error instanceof SwitchboardProblem);
    assert.equal(error.status, 400);
    assert.equal(error.problem.field, "group_by");
    return true;
  });
});
