// A session handle's durable streams: handle.stream("output").append(…), coalesced and idempotent, against a real server.
import {test, before, after} from "node:test";
import assert from "node:assert/strict";
import {Server, uniqueId} from "./server.mjs";

let server;
before(async () => {
  server = await Server.start();
});
after(() => server?.stop());

test("appends are coalesced, and a lost answer is retried without appending twice", async () => {
  let posts = 0;
  let sent = 0;
  const lossy = async (url, init) => {
    const isAppend = init?.method === "POST" && String(url).includes("/v1/stream/");
    const response = await fetch(url, init);
    if (isAppend) {
      sent++;
      if (++posts === 2) throw new TypeError("fetch failed: the answer was lost"); // the server applied it
    }
    return response;
  };
  const client = server.client({fetch: lossy});
  const handle = await client.startSession({id: uniqueId()});
  const output = handle.stream("output");
  let expected = "";
  const appends = [];
  for (let i = 0; i < 100; i++) {
    expected += `line ${i}\n`;
    appends.push(output.append(`line ${i}\n`));
  }
  await Promise.all(appends);
  const read = await fetch(`${server.url}/v1/stream/sessions/${handle.id}/output?offset=-1`);
  assert.equal(await read.text(), expected);
  assert.ok(sent < 100, `coalesced into fewer requests (${sent})`);
  assert.ok(posts >= 3, "the lost answer's request went again");
  assert.equal(handle.stream("output"), output);
  await handle.terminate();
});

test("a JSON stream keeps each message whole, arrays included", async () => {
  const client = server.client();
  const handle = await client.startSession({id: uniqueId()});
  const events = handle.stream("ag-ui", "application/json");
  await Promise.all([events.appendJson({type: "start"}), events.appendJson([1, 2]), events.append(`{"type":"end"}`)]);
  const read = await fetch(`${server.url}/v1/stream/sessions/${handle.id}/ag-ui?offset=-1`);
  assert.deepEqual(await read.json(), [{type: "start"}, [1, 2], {type: "end"}]);
  await handle.terminate();
});
