// Connect with params and the default vsn; a raw upgrade with an unserved vsn gets 403 before the upgrade.
"use strict";
const {Socket} = require("phoenix");
const WebSocket = require("ws");
const {wsEndpoint, check, equal, waitFor, run} = require("../lib");

run(async () => {
  let opened = false;
  const socket = new Socket(wsEndpoint, {transport: WebSocket, params: {user_token: "u"}});
  socket.onOpen(() => { opened = true; });
  socket.connect();
  await waitFor(() => opened, "onOpen");
  check(socket.endPointURL().includes("/socket/websocket?user_token=u&vsn=2.0.0"), "endpoint URL carries params and vsn: " + socket.endPointURL());
  socket.disconnect();

  const refused = await new Promise(resolve => {
    const raw = new WebSocket(wsEndpoint + "/websocket?vsn=3.0.0");
    raw.on("unexpected-response", (_req, res) => resolve(res.statusCode));
    raw.on("open", () => resolve("opened"));
    raw.on("error", () => {});
  });
  equal(refused, 403, "unserved vsn");
});
