// Presence on session:{id}: Presence.list matches the viewers through joins, a leave and a dropped connection.
"use strict";
const {Socket, Presence} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, equal, outcome, waitFor, run} = require("../lib");

function viewer(name) {
  const socket = new Socket(wsEndpoint, {transport: WebSocket, reconnectAfterMs: () => 60000});
  socket.connect();
  const channel = socket.channel("session:watched", {viewer: {name}});
  return {socket, channel};
}

run(async () => {
  const observer = new Socket(wsEndpoint, {transport: WebSocket});
  observer.connect();
  const watching = observer.channel("session:watched", {viewer: {name: "observer"}});
  const presence = new Presence(watching);
  const names = () => presence.list((key, p) => `${key}:${p.metas.length}`).sort();
  equal((await outcome(watching.join())).status, "ok", "observer joins");
  await waitFor(() => names().length === 1, "observer sees itself");

  const alice = viewer("alice"), bob = viewer("bob"), carol = viewer("carol"), alice2 = viewer("alice");
  for (const v of [alice, bob, carol, alice2]) equal((await outcome(v.channel.join())).status, "ok", "viewer joins");
  await waitFor(() => JSON.stringify(names()) === JSON.stringify(["alice:2", "bob:1", "carol:1", "observer:1"]),
    "all viewers, alice twice: " + JSON.stringify(names()));

  // A viewer that joins late gets the full state.
  const late = new Presence((() => { const v = viewer("dave"); v.channel.join(); return v.channel; })());
  await waitFor(() => late.list().length === 5, "late joiner sees everyone");

  bob.channel.leave();
  await waitFor(() => !names().some(n => n.startsWith("bob:")), "bob left");

  carol.socket.conn._socket.destroy(); // the connection drops without a goodbye
  await waitFor(() => !names().some(n => n.startsWith("carol:")), "carol's presence leaves with her connection");

  alice2.socket.disconnect();
  await waitFor(() => names().includes("alice:1"), "one alice left");
  equal(names(), ["alice:1", "dave:1", "observer:1"], "final list");
  [observer, alice.socket, bob.socket, carol.socket].forEach(s => s.disconnect());
});
