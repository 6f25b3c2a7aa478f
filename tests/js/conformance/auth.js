// Auth with the unmodified phoenix client: the authToken option (WebSocket subprotocol, long-poll header) and a token
// connect param both work; a topic outside the token is refused with "unauthorized"; no credentials, no connection.
"use strict";
const {Socket, LongPoll} = require("phoenix");
const WebSocket = require("ws");
const {url, wsEndpoint, check, equal, waitFor, outcome, run} = require("../lib");

const key = process.env.SWITCHBOARD_API_KEY;
if (!key) throw new Error("SWITCHBOARD_API_KEY is not set");

async function api(method, path, body) {
  const res = await fetch(url + path, {method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: {"content-type": "application/json", authorization: `Bearer ${key}`}});
  const text = await res.text();
  return {status: res.status, body: text ? JSON.parse(text) : null};
}

async function joinedSocket(opts, label) {
  let opened = false;
  const socket = new Socket(wsEndpoint, {reconnectAfterMs: () => 60000, ...opts});
  socket.onOpen(() => { opened = true; });
  socket.connect();
  await waitFor(() => opened, label + ": onOpen");
  const sessions = socket.channel("sessions", {});
  equal((await outcome(sessions.join())).status, "ok", label + ": sessions join");
  const summary = socket.channel("summary", {});
  const refused = await outcome(summary.join());
  equal([refused.status, refused.response && refused.response.reason], ["error", "unauthorized"], label + ": summary is outside the token");
  summary.leave();
  return {socket, sessions};
}

run(async () => {
  const minted = await api("POST", "/api/tokens", {topics: ["sessions", "session:*"]});
  equal(minted.status, 200, "mint");
  const token = minted.body.token;

  // authToken over WebSocket: the subprotocol, with "phoenix" selected by the server (ws would fail otherwise).
  const viaProtocol = await joinedSocket({transport: WebSocket, authToken: token}, "authToken");
  const seen = [];
  viaProtocol.sessions.on("session_created", e => seen.push(e.session_id));
  const created = await api("POST", "/api/sessions", {id: "conformance-auth"});
  equal(created.status, 201, "create with the key");
  await waitFor(() => seen.includes("conformance-auth"), "broadcast over the authToken socket");
  viaProtocol.socket.disconnect();

  // The token as an ordinary connect param.
  const viaParam = await joinedSocket({transport: WebSocket, params: {token}}, "token param");
  viaParam.socket.disconnect();

  // authToken over long-poll: sent as X-Phoenix-AuthToken on the connecting GET.
  const viaLongPoll = await joinedSocket({transport: LongPoll, authToken: token}, "long-poll authToken");
  const polled = [];
  viaLongPoll.sessions.on("session_updated", e => polled.push(e.session_id));
  await api("PATCH", "/api/sessions/conformance-auth", {state: "working"});
  await waitFor(() => polled.includes("conformance-auth"), "broadcast over long-poll");
  viaLongPoll.socket.disconnect();

  // No credentials: the upgrade is refused with 403 and the socket never opens.
  const status = await new Promise(resolve => {
    const raw = new WebSocket(wsEndpoint + "/websocket?vsn=2.0.0");
    raw.on("unexpected-response", (_req, res) => resolve(res.statusCode));
    raw.on("open", () => resolve("opened"));
    raw.on("error", () => {});
  });
  equal(status, 403, "no token");

  let errored = false, opened = false;
  const anonymous = new Socket(wsEndpoint, {transport: LongPoll, reconnectAfterMs: () => 60000});
  anonymous.onError(() => { errored = true; });
  anonymous.onOpen(() => { opened = true; });
  anonymous.connect();
  await waitFor(() => errored, "long-poll without a token errors");
  check(!opened, "long-poll without a token never opens");
  anonymous.disconnect();
});
