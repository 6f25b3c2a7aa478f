// A change made over HTTP reaches channel.on on two separate sockets, in order, as [null,null,topic,type,envelope].
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, outcome, waitFor, run} = require("../lib");

run(async () => {
  const received = [[], []];
  const raw = [];
  const sockets = [0, 1].map(i => {
    const s = new Socket(wsEndpoint, {transport: WebSocket});
    if (i === 0) s.onMessage(m => { if (m.topic === "sessions" && m.event.startsWith("session_")) raw.push(m); });
    s.connect();
    return s;
  });
  for (let i = 0; i < 2; i++) {
    const ch = sockets[i].channel("sessions", {});
    for (const type of ["session_created", "session_updated", "session_terminated"]) ch.on(type, m => received[i].push([type, m.seq]));
    equal((await outcome(ch.join())).status, "ok", "join " + i);
  }
  const id = "bc-" + Date.now();
  equal((await api("POST", "/api/sessions", {id})).status, 201, "create");
  equal((await api("PATCH", "/api/sessions/" + id, {state: "working"})).status, 200, "update");
  equal((await api("POST", `/api/sessions/${id}/terminate`, {})).status, 200, "terminate");
  await waitFor(() => received[0].length >= 3 && received[1].length >= 3, "three events on both sockets");
  equal(received[0], received[1], "both sockets saw the same events");
  equal(received[0].map(r => r[0]), ["session_created", "session_updated", "session_terminated"], "event order");
  check(received[0][0][1] < received[0][1][1] && received[0][1][1] < received[0][2][1], "seq increases");
  check(raw.every(m => m.join_ref === null && m.ref === null), "broadcasts carry null join_ref and ref");
  sockets.forEach(s => s.disconnect());
});
