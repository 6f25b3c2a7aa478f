// Join outcomes: ok with the snapshot, error with a reason, and "unmatched topic" (which the client retries).
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, check, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  const joins = [];
  const socket = new Socket(wsEndpoint, {transport: WebSocket, rejoinAfterMs: () => 1000});
  socket.onMessage(m => { if (m.event === "phx_reply" && m.topic === "nowhere") joins.push(Date.now()); });
  socket.connect();

  const ok = await outcome(socket.channel("sessions", {limit: 5}).join());
  equal(ok.status, "ok", "sessions join");
  check(typeof ok.response.seq === "number" && typeof ok.response.epoch === "string", "reply carries seq and epoch");
  check(Array.isArray(ok.response.sessions) && ok.response.summary, "sessions snapshot carries sessions and summary");
  equal(ok.response.resumed, false, "no resume asked");

  const one = await outcome(socket.channel("session:abc", {}).join());
  equal(one.status, "ok", "session:{id} join before the session exists");
  equal(one.response.session, null, "no session yet");

  const refused = await outcome(socket.channel("sessions", {since: "yesterday"}).join());
  equal(refused.status, "error", "bad params refused");
  equal(refused.response.reason, "invalid join params", "refusal reason");

  const nowhere = socket.channel("nowhere", {});
  const unmatched = await outcome(nowhere.join());
  equal(unmatched.status, "error", "unrouted topic");
  equal(unmatched.response.reason, "unmatched topic", "unmatched reason");
  // The client retries a refused join on its rejoin schedule (1 s here). phoenix.js arms that timer before this test's
  // onMessage stamps the refusal, so the retry's reply cannot come sooner than 1 s after it; the upper bound allows for
  // the round trip of the retried join on a loaded machine.
  await waitFor(() => joins.length >= 2, "a retried join", 15000);
  const gap = joins[1] - joins[0];
  check(gap >= 900 && gap < 10000, "retry 1 s later (plus a round trip), was " + gap + " ms");
  nowhere.leave();
  socket.disconnect();
});
