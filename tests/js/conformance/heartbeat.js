// Heartbeats: every reply echoes its heartbeat's string ref, in order, and the socket stays up.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, check, equal, waitFor, run} = require("../lib");

// phoenix.js sends the next heartbeat one interval after the last reply and closes the socket when a reply takes longer
// than one interval, so the interval is also the budget of each round trip: 3 s leaves room for a stall on a loaded
// machine (phoenix.js's own default is 30 s).
const intervalMs = 3000;
const wanted = 3;

run(async () => {
  const sent = [], replies = [], rtts = [];
  const sentAt = new Map();
  let closes = 0;
  const socket = new Socket(wsEndpoint, {transport: WebSocket, heartbeatIntervalMs: intervalMs});
  const push = socket.push.bind(socket);
  socket.push = data => {
    if (data.topic === "phoenix") { sent.push(data.ref); sentAt.set(data.ref, Date.now()); }
    push(data);
  };
  socket.onMessage(m => {
    if (m.topic !== "phoenix") return;
    replies.push(m);
    if (sentAt.has(m.ref)) rtts.push(Date.now() - sentAt.get(m.ref));
  });
  socket.onClose(() => closes++);
  socket.connect();
  await waitFor(() => replies.length >= wanted || closes > 0, `${wanted} heartbeat replies`, wanted * intervalMs + 20000);
  console.log(`heartbeat round trips (ms): ${rtts.join(", ")}`);
  check(closes === 0, "no close while heartbeating, saw " + closes);
  // One heartbeat at a time: each is sent once the previous one is answered, so the replies echo the sent refs in order.
  equal(replies.map(r => r.ref), sent.slice(0, replies.length), "replies echo the sent refs, in order");
  for (const r of replies) {
    check(typeof r.ref === "string", "reply ref echoed as the same string: " + JSON.stringify(r.ref));
    check(r.event === "phx_reply" && r.payload.status === "ok", "heartbeat reply ok: " + JSON.stringify(r));
  }
  socket.disconnect();
});
