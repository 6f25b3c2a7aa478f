// The usage topic with the phoenix client: the join reply carries the series and as_of_seq, and "usage" pushes add
// increments that continue from it, so the chart ends equal to GET /api/usage. Params are a function, as a chart that
// rejoins after a reconnect would pass them.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, outcome, waitFor, run} = require("../lib");

function key(group, point) { return JSON.stringify(group) + "|" + point.start; }

run(async () => {
  const id = "usage-" + Date.now();
  equal((await api("POST", "/api/sessions", {id, labels: {team: "red"}})).status, 201, "create");
  const socket = new Socket(wsEndpoint, {transport: WebSocket});
  socket.connect();
  const channel = socket.channel("usage", () => ({bucket: "1h", group_by: "label:team", since: "2h"}));
  const rows = new Map();
  let seq = null, updates = 0;
  channel.on("usage", u => {
    equal(u.from_seq, seq, "an update continues from the last seq");
    for (const s of u.series) for (const p of s.points) {
      const k = key(s.group, p), had = rows.get(k);
      rows.set(k, had ? {input: had.input + p.input_tokens, cost: had.cost + p.cost_usd, created: had.created + p.sessions_created}
                      : {input: p.input_tokens, cost: p.cost_usd, created: p.sessions_created});
    }
    seq = u.seq;
    updates++;
  });
  const joined = await outcome(channel.join());
  equal(joined.status, "ok", "join");
  check(joined.response.as_of_seq >= 1, "the reply carries as_of_seq");
  for (const s of joined.response.series) for (const p of s.points) {
    rows.set(key(s.group, p), {input: p.input_tokens, cost: p.cost_usd, created: p.sessions_created});
  }
  seq = joined.response.as_of_seq;

  for (let i = 1; i <= 3; i++) {
    equal((await api("POST", `/api/sessions/${id}/usage`, {input_tokens: 100 * i, cost_usd: 0.25})).status, 200, "usage " + i);
  }
  const stored = (await api("GET", "/api/usage?bucket=1h&group_by=label:team&since=2h")).body;
  await waitFor(() => seq >= stored.as_of_seq, "updates up to " + stored.as_of_seq);
  check(updates >= 1, "at least one update");
  const expected = new Map();
  for (const s of stored.series) for (const p of s.points) {
    expected.set(key(s.group, p), {input: p.input_tokens, cost: p.cost_usd, created: p.sessions_created});
  }
  equal([...rows.entries()].sort(), [...expected.entries()].sort(), "reply plus updates equal the stored rollups");

  const bad = await outcome(socket.channel("usage", {bucket: "2h"}).join());
  equal(bad.status, "error", "bad params are refused");
  check(bad.response.detail.includes("'bucket'"), "the refusal says which param");
  socket.disconnect();
});
