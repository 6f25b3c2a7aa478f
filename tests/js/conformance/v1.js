// The V1 serializer, as V1 clients speak it: phoenix.js configured with vsn "1.0.0" and a V1 encode/decode, over
// WebSocket and long-poll, and the npm V1 client `phoenix-channels`. Each joins `sessions`, gets broadcasts and a push
// reply, and resumes by `since` after missing events, with no gap and no duplicate.
"use strict";
const phoenix = require("phoenix");
const v1client = require("phoenix-channels");
const WebSocket = require("ws");
const {wsEndpoint, api, check, equal, outcome, waitFor, run} = require("../lib");

// V1 frames are objects; phoenix.js keeps its messages as {join_ref, ref, topic, event, payload}.
const encode = (msg, callback) => callback(JSON.stringify({topic: msg.topic, event: msg.event, payload: msg.payload, ref: msg.ref, join_ref: msg.join_ref}));
const decode = (raw, callback) => {
  const m = JSON.parse(raw);
  check(!Array.isArray(m), "a V1 frame is an object, not a V2 array: " + raw);
  callback({join_ref: m.join_ref ?? null, ref: m.ref, topic: m.topic, event: m.event, payload: m.payload});
};

const types = ["session_created", "session_updated", "session_terminated"];

/** Joins sessions, sees live events, leaves, misses three, and resumes: the seqs it saw must be contiguous. */
async function exercise(name, connect) {
  let last = null, epoch = null;
  const seqs = [], replies = [];
  const {socket, channel} = connect(() => (last === null ? {} : {since: last, epoch}));
  for (const type of types) channel.on(type, m => { seqs.push(m.seq); last = m.seq; epoch = m.epoch; });
  const join = () => channel.join().receive("ok", r => { replies.push(r); if (last === null) { last = r.seq; epoch = r.epoch; } });
  join();
  await waitFor(() => replies.length === 1, `${name}: join`);
  equal(replies[0].resumed, false, `${name}: a first join is a snapshot`);

  const ping = await outcome(channel.push("ping", {}));
  equal(ping.status, "ok", `${name}: a push gets its reply by ref`);

  const id = "v1-" + name;
  equal((await api("POST", "/api/sessions", {id})).status, 201, `${name}: create`);
  await waitFor(() => seqs.length === 1, `${name}: the broadcast`);
  return {socket, channel, id, seqs, replies, join, last: () => last};
}

run(async () => {
  // phoenix.js over WebSocket with vsn 1.0.0 and its V1 codec; resume through its params function.
  {
    const socket = new phoenix.Socket(wsEndpoint, {transport: WebSocket, vsn: "1.0.0", encode, decode});
    socket.connect();
    const run = await exercise("phoenixjs-ws", params => ({socket, channel: socket.channel("sessions", params)}));
    socket.disconnect();
    for (let i = 0; i < 3; i++) equal((await api("POST", `/api/sessions/${run.id}/usage`, {input_tokens: 1})).status, 200, "usage while away");
    socket.connect();
    await waitFor(() => run.replies.length === 2, "rejoin after reconnect");
    equal(run.replies[1].resumed, true, "resumed");
    equal(run.replies[1].replayed, 3, "replayed what was missed");
    await waitFor(() => run.seqs.length === 4, "replayed events");
    for (let i = 1; i < run.seqs.length; i++) equal(run.seqs[i], run.seqs[i - 1] + 1, "no gap or duplicate");
    socket.disconnect();
  }

  // phoenix.js over long-poll: it keeps its default codec for LongPoll, so the V1 one is set on the socket itself.
  {
    const socket = new phoenix.Socket(wsEndpoint, {vsn: "1.0.0", transport: phoenix.LongPoll});
    socket.encode = encode;
    socket.decode = decode;
    socket.connect();
    const run = await exercise("phoenixjs-lp", params => ({socket, channel: socket.channel("sessions", params)}));
    equal((await api("PATCH", `/api/sessions/${run.id}`, {state: "working"})).status, 200, "update");
    await waitFor(() => run.seqs.length === 2, "a second broadcast over long-poll");
    socket.disconnect();
  }

  // phoenix-channels 1.0.0, a V1-only client: it sends vsn=1.0.0 and takes join params as an object.
  {
    const first = new v1client.Socket(wsEndpoint);
    first.connect();
    const run = await exercise("phoenix-channels", () => {
      const channel = first.channel("sessions", {});
      return {socket: first, channel};
    });
    const since = run.last(), epoch = run.replies[0].epoch;
    first.disconnect();
    for (let i = 0; i < 3; i++) equal((await api("POST", `/api/sessions/${run.id}/usage`, {output_tokens: 2})).status, 200, "usage while away");

    const second = new v1client.Socket(wsEndpoint);
    second.connect();
    const seqs = [], replies = [];
    const channel = second.channel("sessions", {since, epoch});
    for (const type of types) channel.on(type, m => seqs.push(m.seq));
    channel.join().receive("ok", r => replies.push(r));
    await waitFor(() => replies.length === 1, "phoenix-channels: resume join");
    equal(replies[0].resumed, true, "phoenix-channels: resumed by since");
    equal(replies[0].replayed, 3, "phoenix-channels: replayed the three missed");
    await waitFor(() => seqs.length === 3, "phoenix-channels: replayed events");
    equal((await api("POST", `/api/sessions/${run.id}/terminate`, {})).status, 200, "terminate");
    await waitFor(() => seqs.length === 4, "phoenix-channels: live after the replay");
    equal(seqs[0], since + 1, "phoenix-channels: the replay starts right after since");
    for (let i = 1; i < seqs.length; i++) equal(seqs[i], seqs[i - 1] + 1, "phoenix-channels: no gap or duplicate");
    second.disconnect();
  }
});
