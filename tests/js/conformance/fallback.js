// longPollFallbackMs with the WebSocket route refused: the client falls back to long-poll and gets every event.
"use strict";
const {Socket, LongPoll} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, waitFor, run} = require("../lib");

run(async () => {
  const created = [];
  let opened = 0;
  const socket = new Socket(wsEndpoint, {transport: WebSocket, longPollFallbackMs: 500});
  socket.onOpen(() => opened++);
  socket.connect();
  const ch = socket.channel("sessions", {});
  ch.on("session_created", m => created.push(m.data.session.id));
  let joined = false;
  ch.join().receive("ok", () => { joined = true; });
  await waitFor(() => joined, "joined after falling back", 15000);
  check(socket.transport === LongPoll, "the socket now uses LongPoll");
  for (let i = 0; i < 10; i++) equal((await api("POST", "/api/sessions", {id: "fb-" + i})).status, 201, "create");
  await waitFor(() => created.length === 10, "every event over long-poll");
  equal(created, [...Array(10).keys()].map(i => "fb-" + i), "in order");
  socket.disconnect();
});
