#!/usr/bin/env node
// The Durable Streams reference server (@durable-streams/server), in memory, on a free loopback port. It prints the
// line the load generator's ChildServer waits for, as ASP.NET Core does; the arguments it is given (--urls …) are not
// needed: the port is always chosen by the system.
import { DurableStreamTestServer } from "@durable-streams/server";

const server = new DurableStreamTestServer({ port: 0, host: "127.0.0.1", compression: false });
const url = await server.start();
console.log(`Now listening on: ${url}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
