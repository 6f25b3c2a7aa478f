// A short heartbeat interval: every reply echoes the string ref, and the socket stays up.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, check, sleep, run} = require("../lib");

run(async () => {
  const sent = [], replies = [];
  let closes = 0;
  const socket = new Socket(wsEndpoint, {transport: WebSocket, heartbeatIntervalMs: 200});
  const push = socket.push.bind(socket);
  socket.push = data => { if (data.topic === "phoenix") sent.push(data.ref); push(data); };
  socket.onMessage(m => { if (m.topic === "phoenix") replies.push(m); });
  socket.onClose(() => closes++);
  socket.connect();
  await sleep(3000);
  check(closes === 0, "no close during 3 s of heartbeats, saw " + closes);
  check(sent.length >= 10, "heartbeats sent: " + sent.length);
  check(replies.length >= sent.length - 1, `replies ${replies.length} for ${sent.length} heartbeats`);
  for (const r of replies) {
    check(typeof r.ref === "string" && sent.includes(r.ref), "reply ref echoed as the same string: " + JSON.stringify(r.ref));
    check(r.event === "phx_reply" && r.payload.status === "ok", "heartbeat reply ok");
  }
  socket.disconnect();
});
