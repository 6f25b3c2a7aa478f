// The long-poll session protocol: connect gives 410 with a token, an idle poll answers 204 in the body, a POST with an
// unknown token gets 410; and when the server forgets a client's session, the client reconnects and rejoins.
"use strict";
const {Socket, LongPoll} = require("phoenix");
const {url, wsEndpoint, api, check, equal, signal, command, waitFor, run} = require("../lib");

async function lp(method, query, body) {
  const res = await fetch(`${url}/socket/longpoll?vsn=2.0.0${query}`, {method, body, headers: {"content-type": "application/x-ndjson"}});
  equal(res.status, 200, "every long-poll answer is HTTP 200");
  equal(res.headers.get("cache-control"), "no-store", "no-store");
  return res.json();
}

run(async () => {
  const connect = await lp("GET", "");
  equal(connect.status, 410, "a poll without a token connects");
  check(typeof connect.token === "string" && connect.token.length > 10, "and gets a token");
  equal(connect.messages, [], "with no messages");

  const started = Date.now();
  const idle = await lp("GET", "&token=" + encodeURIComponent(connect.token));
  equal(idle.status, 204, "an idle poll answers 204 in the body");
  check(Date.now() - started >= 400, "after waiting for the window");

  // the token may also come as a header, and the last token query value wins over a user param named token
  const viaHeader = await fetch(`${url}/socket/longpoll?vsn=2.0.0&token=user-param`, {
    method: "POST", body: '[null,"1","phoenix","heartbeat",{}]', headers: {"x-phoenix-longpoll-token": connect.token}});
  equal((await viaHeader.json()).status, 200, "token from the header");
  const lastWins = await lp("POST", "&token=user-param&token=" + encodeURIComponent(connect.token), '[null,"2","phoenix","heartbeat",{}]');
  equal(lastWins.status, 200, "last token query value");

  const unknown = await lp("POST", "&token=not-a-session", '[null,"1","phoenix","heartbeat",{}]');
  equal(unknown.status, 410, "a POST with an unknown token gets 410");
  equal((await lp("GET", "&vsn=3.0.0")).status, 403, "an unserved vsn gets 403 in the body");

  // The phoenix client, when its session disappears (server restart), closes with 3410, reconnects and rejoins.
  const closes = [];
  let joins = 0;
  const socket = new Socket(wsEndpoint, {transport: LongPoll, reconnectAfterMs: () => 100, rejoinAfterMs: () => 100});
  socket.onClose(e => closes.push(e.code));
  socket.connect();
  const ch = socket.channel("summary", {});
  ch.join().receive("ok", () => joins++);
  await waitFor(() => joins === 1, "first join");
  signal("joined");
  await command("restarted");
  await waitFor(() => joins >= 2, "rejoined after the session was gone", 30000);
  check(closes.includes(3410) || closes.includes(1011), "closed as session_gone (or a failed request) before reconnecting: " + JSON.stringify(closes));
  socket.disconnect();
});
