// Starts the real Switchboard executable (`dotnet $SWITCHBOARD_SERVER_DLL`) on a free loopback port, with its own
// data directory. `kill9()` then `start()` restarts it on the same port and data. `Server.start({env})` adds environment
// variables, e.g. `{SWITCHBOARD_API_KEYS: "…"}` to turn auth on. `startServer(options)` does the same and stops it after
// the test that started it.
import {spawn} from "node:child_process";
import {after} from "node:test";
import {mkdtempSync, rmSync, openSync, closeSync, existsSync, readFileSync} from "node:fs";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {join} from "node:path";
import WebSocket from "ws";
import {createSwitchboard, SwitchboardClient, Subscriber} from "../dist/index.js";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Polls `condition` until it is truthy; fails with `what` after `timeoutMs` (generous: CI has 2 busy cores). */
export async function eventually(condition, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await sleep(20);
  }
}

export class Server {
  constructor(port, dir, env = {}) {
    this.port = port;
    this.dir = dir;
    this.env = env;
    this.url = `http://127.0.0.1:${port}`;
    this.process = null;
  }

  static async start({env = {}} = {}) {
    const dll = process.env.SWITCHBOARD_SERVER_DLL;
    if (!dll || !existsSync(dll)) {
      throw new Error("Set SWITCHBOARD_SERVER_DLL to the built switchboard.dll (dotnet test does this).");
    }
    const server = new Server(await freePort(), mkdtempSync(join(tmpdir(), "switchboard-ts-")), env);
    await server.start();
    return server;
  }

  async start() {
    const log = openSync(join(this.dir, "server.log"), "a");
    const child = spawn("dotnet", [process.env.SWITCHBOARD_SERVER_DLL, "--urls", this.url, "--data-dir", join(this.dir, "data")],
      // Usage rolled up by team too, for the usage tests; no OTLP/gRPC listener (127.0.0.1:4317 is left to the test that
      // needs it).
      {stdio: ["ignore", log, log], env: {...process.env, Switchboard__Usage__GroupBy__0: "team", Switchboard__Otlp__GrpcUrls: "", ...this.env}});
    closeSync(log);
    let exited = null;
    child.on("exit", code => (exited = code));
    this.process = child;
    const deadline = Date.now() + 60000;
    for (;;) {
      if (exited !== null) throw new Error(`switchboard exited with ${exited}:\n${this.log()}`);
      try {
        const r = await fetch(this.url + "/readyz");
        if (r.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error("switchboard did not become ready within 60 s:\n" + this.log());
      await sleep(100);
    }
  }

  log() {
    try {
      return readFileSync(join(this.dir, "server.log"), "utf8");
    } catch {
      return "";
    }
  }

  async kill9() {
    const child = this.process;
    const gone = new Promise(r => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
    this.process = null;
  }

  async stop() {
    const child = this.process;
    if (child && child.exitCode === null) {
      const gone = new Promise(r => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
      await gone;
      clearTimeout(timer);
    }
    this.process = null;
    rmSync(this.dir, {recursive: true, force: true});
  }

  client(options = {}) {
    return new SwitchboardClient({url: this.url, ...options});
  }

  subscriber(options = {}) {
    return new Subscriber({url: this.url, WebSocket, backoff: () => 100, ...options});
  }

  switchboard(options = {}) {
    return createSwitchboard({url: this.url, WebSocket, backoff: () => 100, ...options});
  }
}

/**
 * Starts a server (as `Server.start(options)`) and registers its stop (which removes its data) with node:test's `after`:
 * called in a test, it runs when that test ends; called at a file's top level, when the file's tests are done.
 */
export async function startServer(options) {
  const server = await Server.start(options);
  after(() => server.stop());
  return server;
}

let counter = 0;
/** A session id no other test uses. */
export function uniqueId(prefix = "ts") {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}
