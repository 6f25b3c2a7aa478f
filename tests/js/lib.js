// Shared helpers for the Node.js test drivers. A driver exits 0 on success; any failed check throws and exits 1.
// Drivers talk to the xunit side with "@@ <word> <json>" lines on stdout and read commands from stdin.
"use strict";
const readline = require("readline");

const url = process.env.SWITCHBOARD_URL;
if (!url) throw new Error("SWITCHBOARD_URL is not set");
const wsEndpoint = url.replace(/^http/, "ws") + "/socket";

function check(cond, message) {
  if (!cond) throw new Error("check failed: " + message);
}

function equal(actual, expected, message) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message}: expected ${e}, got ${a}`);
}

function sleep(ms) {
  return new Promise(r => setTimeout(r, ms));
}

async function waitFor(cond, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await sleep(10);
  }
}

/** Resolves a phoenix Push with its "ok" / "error" / "timeout" outcome. */
function outcome(push) {
  return new Promise(resolve => {
    push.receive("ok", r => resolve({status: "ok", response: r}))
        .receive("error", r => resolve({status: "error", response: r}))
        .receive("timeout", () => resolve({status: "timeout"}));
  });
}

async function api(method, path, body) {
  const res = await fetch(url + path, {method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: {"content-type": "application/json"}});
  const text = await res.text();
  return {status: res.status, body: text ? JSON.parse(text) : null};
}

function signal(word, data) {
  process.stdout.write(`@@ ${word} ${JSON.stringify(data ?? {})}\n`);
}

const commands = [];
const rl = readline.createInterface({input: process.stdin});
rl.on("line", line => commands.push(line.trim()));

/** Waits for a command line from the test, e.g. "restarted http://127.0.0.1:1234". */
async function command(prefix, timeoutMs = 30000) {
  await waitFor(() => commands.some(c => c.startsWith(prefix)), "command " + prefix, timeoutMs);
  const i = commands.findIndex(c => c.startsWith(prefix));
  return commands.splice(i, 1)[0].slice(prefix.length).trim();
}

function run(main) {
  const timer = setTimeout(() => { console.error("driver timed out"); process.exit(3); }, Number(process.env.DRIVER_TIMEOUT_MS || 60000));
  main().then(() => { clearTimeout(timer); rl.close(); process.exit(0); },
              e => { console.error(e && e.stack || e); process.exit(1); });
}

module.exports = {url, wsEndpoint, check, equal, sleep, waitFor, outcome, api, signal, command, run};
