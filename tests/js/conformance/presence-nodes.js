// Presence across two nodes on one PostgreSQL database: a viewer connected to node A appears in phoenix.js Presence
// on node B (A writes it to PostgreSQL, B reads the other nodes' viewers every 250 ms and its live loop sends the
// presence_diff); once A is killed, B drops the viewer within the liveness bound; after A restarts and the viewer comes
// back, B lists it once, with one meta (no duplicate, no stale ref).
"use strict";
const {Socket, Presence} = require("phoenix");
const WebSocket = require("ws");
const {url, check, equal, outcome, waitFor, signal, command, run} = require("../lib");

// How long a viewer on one node may take to appear on the other: the product reads every 250 ms; the rest is margin for
// a loaded machine (both nodes, PostgreSQL and this driver share its cores). A killed node's viewers go once its last
// renewal is older than the liveness bound (10 s): the same margin on top of that.
const appearMs = 10000;
const livenessMs = 10000;

const endpoint = base => base.replace(/^http/, "ws") + "/socket";
const urlB = process.env.SWITCHBOARD_URL_B;
check(urlB, "SWITCHBOARD_URL_B is set");

function viewerOn(base) {
  const socket = new Socket(endpoint(base), {transport: WebSocket, reconnectAfterMs: () => 60000});
  socket.connect();
  const channel = socket.channel("sessions", {viewer: {name: "Alice", id: "alice"}});
  return {socket, channel};
}

run(async () => {
  const observer = new Socket(endpoint(urlB), {transport: WebSocket});
  observer.connect();
  const watching = observer.channel("sessions", {});
  const presence = new Presence(watching);
  const alice = () => presence.list((key, p) => ({key, refs: p.metas.map(m => m.phx_ref)})).find(p => p.key === "alice");
  equal((await outcome(watching.join())).status, "ok", "the observer joins on B");

  const first = viewerOn(url);
  equal((await outcome(first.channel.join())).status, "ok", "the viewer joins on A");
  const joinedAt = Date.now();
  await waitFor(() => alice() !== undefined, "the viewer on A in B's presence list", appearMs);
  const firstRef = alice().refs[0];
  console.log(`the viewer on A appeared on B after ${Date.now() - joinedAt} ms`);
  signal("visible", {afterMs: Date.now() - joinedAt, ref: firstRef});

  await command("killed");
  const killedAt = Date.now();
  await waitFor(() => alice() === undefined, "the killed node's viewer gone from B", livenessMs + appearMs);
  console.log(`the killed node's viewer left B after ${Date.now() - killedAt} ms`);
  signal("gone", {afterMs: Date.now() - killedAt});

  const restartedUrl = await command("restarted");
  const second = viewerOn(restartedUrl);
  equal((await outcome(second.channel.join())).status, "ok", "the viewer joins the restarted A");
  const rejoinedAt = Date.now();
  await waitFor(() => alice() !== undefined, "the viewer back in B's list", appearMs);
  console.log(`the viewer on the restarted A appeared on B after ${Date.now() - rejoinedAt} ms`);
  const refs = alice().refs;
  equal(refs.length, 1, "one meta for the viewer: " + JSON.stringify(refs));
  check(refs[0] !== firstRef, "a new ref after the restart, never the old one again");
  await new Promise(r => setTimeout(r, 1000));
  equal(alice().refs, refs, "and it stays one meta");
  second.socket.disconnect();
  observer.disconnect();
});
