// The server stops (closing with 1001) and comes back on the same address: the client reconnects on its own,
// rejoins every channel and receives events again.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, outcome, signal, command, waitFor, run} = require("../lib");

run(async () => {
  const closeCodes = [];
  let opens = 0;
  const joinReplies = [];
  const created = [];
  const socket = new Socket(wsEndpoint, {transport: WebSocket, reconnectAfterMs: () => 100});
  socket.onOpen(() => opens++);
  socket.onClose(e => closeCodes.push(e.code));
  socket.connect();
  const ch = socket.channel("sessions", {});
  ch.on("session_created", m => created.push(m.data.session.id));
  const first = ch.join();
  first.receive("ok", r => joinReplies.push(r));
  equal((await outcome(first)).status, "ok", "first join");
  signal("joined");

  await waitFor(() => closeCodes.length > 0, "server close");
  equal(closeCodes[0], 1001, "server closes with 1001 on shutdown");
  await command("restarted");
  await waitFor(() => opens >= 2, "reconnected", 20000);
  await waitFor(() => joinReplies.length >= 2, "automatic rejoin", 20000);
  equal((await api("POST", "/api/sessions", {id: "after-restart"})).status, 201, "create after restart");
  await waitFor(() => created.includes("after-restart"), "event after rejoin");
  check(ch.state === "joined", "channel joined again");
  socket.disconnect();
});
