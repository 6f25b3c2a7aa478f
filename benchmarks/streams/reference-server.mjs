// The protocol's reference server (@durable-streams/server, in memory) on a free loopback port, in its own process so
// it does not share the load generator's event loop. Prints its base URL, then serves until killed.
import { DurableStreamTestServer } from "@durable-streams/server";

const server = new DurableStreamTestServer({ port: 0, host: "127.0.0.1" });
const url = await server.start();
console.log(`LISTENING ${url}`);
