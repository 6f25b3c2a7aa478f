// phoenix.js on long-poll against a server at its connection limit (1): it is refused, keeps retrying with its own
// backoff, and joins once the slot frees, without being restarted.
"use strict";
const {Socket, LongPoll} = require("phoenix");
const {wsEndpoint, equal, outcome, waitFor, signal, command, run} = require("../lib");

run(async () => {
  await command("full"); // the test holds the only slot
  const errors = [];
  const socket = new Socket(wsEndpoint, {transport: LongPoll, reconnectAfterMs: () => 200});
  socket.onError(e => errors.push(e));
  socket.connect();
  const channel = socket.channel("summary", {});
  let joined = null;
  channel.join().receive("ok", r => { joined = r; });
  await waitFor(() => errors.length >= 2, "refusals while the server is full", 15000);
  equal(joined, null, "no join while full");
  signal("refused", {errors: errors.length});

  await command("freed");
  await waitFor(() => joined !== null, "the join once a slot is free", 20000);
  equal((await outcome(channel.push("ping", {}))).status, "ok", "the channel works");
  socket.disconnect();
});
