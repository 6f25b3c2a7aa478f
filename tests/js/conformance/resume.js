// Resume with since across a restart: events committed while the client was away are replayed exactly once,
// in order, then live events follow with no gap.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, signal, command, waitFor, run} = require("../lib");

run(async () => {
  let last = null, epoch = null;
  const seqs = [], replies = [];
  const socket = new Socket(wsEndpoint, {transport: WebSocket, reconnectAfterMs: () => 100});
  socket.connect();
  // Params are a closure, so every rejoin carries the position reached so far.
  const ch = socket.channel("sessions", () => (last === null ? {} : {since: last, epoch}));
  for (const type of ["session_created", "session_updated", "session_terminated"]) {
    ch.on(type, m => { seqs.push(m.seq); last = m.seq; epoch = m.epoch; });
  }
  ch.join().receive("ok", r => {
    replies.push(r);
    if (last === null) { last = r.seq; epoch = r.epoch; }
  });
  await waitFor(() => replies.length === 1, "first join");
  equal((await api("POST", "/api/sessions", {id: "before"})).status, 201, "create before");
  await waitFor(() => seqs.length === 1, "live event before the restart");
  signal("ready", {last});

  const missed = Number(await command("restarted"));
  await waitFor(() => replies.length >= 2, "rejoin after restart", 20000);
  const resumed = replies[replies.length - 1];
  equal(resumed.resumed, true, "resumed");
  equal(resumed.replayed, missed, "replayed count");
  await waitFor(() => seqs.length >= 1 + missed, "replayed events", 10000);
  equal((await api("POST", "/api/sessions", {id: "after"})).status, 201, "create after");
  await waitFor(() => seqs.length >= 2 + missed, "live event after replay");
  for (let i = 1; i < seqs.length; i++) equal(seqs[i], seqs[i - 1] + 1, `seq ${i} follows ${i - 1} with no gap or duplicate`);
  check(seqs.length === 2 + missed, "exactly the expected events: " + JSON.stringify(seqs));
  socket.disconnect();
});
