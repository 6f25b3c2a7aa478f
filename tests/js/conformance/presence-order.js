// A presence_diff that arrives before the presence_state of the current join is handled correctly: the server's real
// messages, captured from a live channel, are fed to phoenix's Presence in diff-first order.
"use strict";
const {Socket, Presence} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  const captured = [];
  const socket = new Socket(wsEndpoint, {transport: WebSocket});
  socket.onMessage(m => { if (m.event.startsWith("presence_")) captured.push(m); });
  socket.connect();
  const ch = socket.channel("session:order", {viewer: {name: "first"}});
  equal((await outcome(ch.join())).status, "ok", "join");
  const other = new Socket(wsEndpoint, {transport: WebSocket});
  other.connect();
  const otherCh = other.channel("session:order", {viewer: {name: "second"}});
  equal((await outcome(otherCh.join())).status, "ok", "second joins");
  await waitFor(() => captured.some(m => m.event === "presence_diff"), "a diff for the second viewer");
  const state = captured.find(m => m.event === "presence_state");
  const diff = captured.find(m => m.event === "presence_diff");

  // A channel stand-in that lets the test choose the order; Presence only needs on() and joinRef().
  const handlers = {};
  const stub = {on: (event, cb) => { handlers[event] = cb; }, joinRef: () => state.join_ref};
  const presence = new Presence(stub);
  handlers["presence_diff"](diff.payload);      // before any state: queued by the client
  equal(presence.list().length, 0, "nothing listed before the state");
  handlers["presence_state"](state.payload);    // the state, then the queued diff
  equal(presence.list((k, p) => k).sort(), ["first", "second"], "diff applied after the state");
  socket.disconnect();
  other.disconnect();
});
