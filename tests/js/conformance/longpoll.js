// transport: LongPoll — join, push/reply, broadcasts, and resume by seq after a reconnect, like the WebSocket.
"use strict";
const {Socket, LongPoll} = require("phoenix");
const {wsEndpoint, api, check, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  let last = null, epoch = null;
  const seqs = [], replies = [];
  const socket = new Socket(wsEndpoint, {transport: LongPoll});
  socket.connect();
  const ch = socket.channel("sessions", () => (last === null ? {} : {since: last, epoch}));
  for (const type of ["session_created", "session_updated", "session_terminated"]) {
    ch.on(type, m => { seqs.push(m.seq); last = m.seq; epoch = m.epoch; });
  }
  ch.join().receive("ok", r => { replies.push(r); if (last === null) { last = r.seq; epoch = r.epoch; } });
  await waitFor(() => replies.length === 1, "join over long-poll");

  const ping = await outcome(ch.push("ping", {}));
  equal(ping.status, "ok", "push gets a reply");
  check(typeof ping.response.seq === "number", "ping reply carries the log position");

  equal((await api("POST", "/api/sessions", {id: "lp-1"})).status, 201, "create");
  equal((await api("PATCH", "/api/sessions/lp-1", {state: "working"})).status, 200, "update");
  await waitFor(() => seqs.length === 2, "broadcasts over long-poll");

  socket.disconnect();
  for (let i = 0; i < 3; i++) equal((await api("POST", "/api/sessions/lp-1/usage", {input_tokens: 1})).status, 200, "usage while away");
  socket.connect();
  await waitFor(() => replies.length === 2, "rejoin after reconnect");
  equal(replies[1].resumed, true, "resumed");
  equal(replies[1].replayed, 3, "replayed the missed events");
  await waitFor(() => seqs.length === 5, "replayed events");
  equal((await api("POST", "/api/sessions/lp-1/terminate", {})).status, 200, "terminate");
  await waitFor(() => seqs.length === 6, "live after replay");
  for (let i = 1; i < seqs.length; i++) equal(seqs[i], seqs[i - 1] + 1, "no gap or duplicate");
  socket.disconnect();
});
