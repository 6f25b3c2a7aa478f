// The unmodified phoenix client follows a session working → waiting → working: the state changes on `session:{id}` and
// `sessions`, and the summary on `summary` counting it under `waiting`, the last key of `counts`.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  const socket = new Socket(wsEndpoint, {transport: WebSocket});
  socket.connect();
  const id = "asks-" + Date.now();
  equal((await api("POST", "/api/sessions", {id, state: "working"})).status, 201, "create");

  const moves = [];
  const fleetMoves = [];
  const summaries = [];
  const own = socket.channel(`session:${id}`, {});
  own.on("session_updated", e => moves.push(`${e.data.previous_state}→${e.data.changes.state}`));
  equal((await outcome(own.join())).status, "ok", "join session:" + id);
  const fleet = socket.channel("sessions", {});
  fleet.on("session_updated", e => { if (e.session_id === id) fleetMoves.push(e.data.changes.state); });
  equal((await outcome(fleet.join())).status, "ok", "join sessions");
  const summary = socket.channel("summary", {});
  summary.on("summary", e => summaries.push(e.data));
  equal((await outcome(summary.join())).status, "ok", "join summary");

  equal((await api("PATCH", "/api/sessions/" + id, {state: "waiting"})).status, 200, "to waiting");
  await waitFor(() => summaries.some(s => s.counts.waiting === 1), "a summary counting one waiting session");
  const counted = summaries.find(s => s.counts.waiting === 1);
  equal(Object.keys(counted.counts), ["initializing", "idle", "working", "paused", "error", "terminating", "terminated", "waiting"],
    "waiting is the last key of counts");
  equal(counted.active_count, 1, "a waiting session is active");

  equal((await api("PATCH", "/api/sessions/" + id, {state: "working"})).status, 200, "back to working");
  await waitFor(() => moves.length >= 2 && fleetMoves.length >= 2, "both state changes on both topics");
  equal(moves, ["working→waiting", "waiting→working"], "session topic");
  equal(fleetMoves, ["waiting", "working"], "sessions topic");
  await waitFor(() => summaries.at(-1).counts.waiting === 0, "the summary after it moved on");
  check(summaries.at(-1).counts.working === 1, "counted as working again");
  socket.disconnect();
});
