// Leave: the server answers ok, then phx_close for that join ref; afterwards the topic is unmatched.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, check, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  const seen = [];
  const socket = new Socket(wsEndpoint, {transport: WebSocket});
  socket.onMessage(m => { if (m.topic === "summary") seen.push(m); });
  socket.connect();
  const ch = socket.channel("summary", {});
  let closed = false;
  ch.onClose(() => { closed = true; });
  equal((await outcome(ch.join())).status, "ok", "join");
  const joinRef = ch.joinRef();
  ch.leave();
  await waitFor(() => seen.some(m => m.event === "phx_close"), "phx_close after leave");
  const reply = seen.findIndex(m => m.event === "phx_reply" && m.ref !== joinRef && m.payload.status === "ok");
  const close = seen.findIndex(m => m.event === "phx_close");
  check(reply >= 0 && reply < close, "leave reply ok arrives before phx_close");
  equal(seen[close].join_ref, joinRef, "phx_close carries the channel's join ref");
  await waitFor(() => closed, "channel onClose");

  // A push to the topic after leaving is unmatched.
  const ref = socket.makeRef();
  socket.push({topic: "summary", event: "ping", payload: {}, ref, join_ref: null});
  await waitFor(() => seen.some(m => m.ref === ref), "reply to a push after leave");
  const after = seen.find(m => m.ref === ref);
  equal(after.payload, {status: "error", response: {reason: "unmatched topic"}}, "unmatched after leave");
  socket.disconnect();
});
