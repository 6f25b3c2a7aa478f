#!/usr/bin/env node
// Writes the clients' wire types from the server's OpenAPI document (/openapi/v1.json):
//   clients/typescript/src/wire/enums.ts        TypeScript enum constants and their types
//   clients/typescript/src/wire/types.ts        an interface per schema
//   clients/typescript/src/wire/descriptors.ts  runtime descriptors (schemas, enums)
//   clients/typescript/src/wire.ts              the three re-exported, what the rest of the client imports
//   clients/python/switchboard_client/_wire.py  frozen dataclasses with from_json (standard library only)
//
//   node clients/codegen/generate.mjs                  start the built server, read its document, write both files
//   node clients/codegen/generate.mjs --check          the same, but only compare: exit 1 on drift, naming this command
//   node clients/codegen/generate.mjs --openapi <file|url>   read the document from a file or a running server instead
//
// The server is `dotnet $SWITCHBOARD_SERVER_DLL`, or the newest src/Switchboard/bin/*/net10.0/switchboard.dll (build it
// with `dotnet build src/Switchboard` first). Plain Node.js (>= 20), no packages.
import {spawn} from "node:child_process";
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync} from "node:fs";
import {createServer} from "node:net";
import {tmpdir} from "node:os";
import {dirname, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {python, typescript} from "./emit.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const COMMAND = "node clients/codegen/generate.mjs";
// Each emitter returns {path under its root: text}.
const outputs = [
  {root: join(repo, "clients", "typescript", "src"), emit: typescript},
  {root: join(repo, "clients", "python", "switchboard_client"), emit: document => ({"_wire.py": python(document)})},
];

async function main(argv) {
  const check = argv.includes("--check");
  const at = argv.indexOf("--openapi");
  const source = at >= 0 ? argv[at + 1] : null;
  if (at >= 0 && !source) throw new Error("--openapi needs a file or a URL");
  const document = source ? await read(source) : await fromServer();

  const stale = [];
  for (const {root, emit} of outputs) {
    for (const [name, text] of Object.entries(emit(document))) {
      const path = join(root, name);
      const current = existsSync(path) ? readFileSync(path, "utf8") : null;
      if (current === text) continue;
      if (check) {
        stale.push(relative(repo, path));
      } else {
        mkdirSync(dirname(path), {recursive: true});
        writeFileSync(path, text);
        console.log(`wrote ${relative(repo, path)}`);
      }
    }
  }

  if (stale.length > 0) {
    console.error(`The generated client types are out of date with the server's OpenAPI document: ${stale.join(", ")}.\n`
      + `Regenerate them with \`dotnet build src/Switchboard && ${COMMAND}\` and commit the result.`);
    return 1;
  }

  if (check) console.log("the generated client types match the OpenAPI document");
  return 0;
}

async function read(source) {
  if (/^https?:\/\//.test(source)) {
    const url = source.endsWith(".json") ? source : source.replace(/\/$/, "") + "/openapi/v1.json";
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
    return await response.json();
  }
  return JSON.parse(readFileSync(source, "utf8"));
}

function serverDll() {
  const configured = process.env.SWITCHBOARD_SERVER_DLL;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`SWITCHBOARD_SERVER_DLL=${configured} does not exist`);
    return configured;
  }
  const bin = join(repo, "src", "Switchboard", "bin");
  const candidates = existsSync(bin)
    ? readdirSync(bin).map(c => join(bin, c, "net10.0", "switchboard.dll")).filter(existsSync)
    : [];
  if (candidates.length === 0) {
    throw new Error("No built server: run `dotnet build src/Switchboard` (or set SWITCHBOARD_SERVER_DLL), or pass --openapi <file|url>.");
  }
  return candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const {port} = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts the built server on a free loopback port with its own data directory, reads its document, stops it. */
async function fromServer() {
  const dll = serverDll();
  const url = `http://127.0.0.1:${await freePort()}`;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-codegen-"));
  let output = "";
  let exited = null;
  // Only the OpenAPI document is needed: no OTLP/gRPC listener on 127.0.0.1:4317.
  const child = spawn("dotnet", [dll, "--urls", url, "--data-dir", join(dir, "data")],
    {stdio: ["ignore", "pipe", "pipe"], env: {...process.env, Switchboard__Otlp__GrpcUrls: ""}});
  child.stdout.on("data", d => (output += d));
  child.stderr.on("data", d => (output += d));
  const exit = new Promise(ok => child.on("exit", code => ok((exited = code))));
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (exited !== null) throw new Error(`the server exited with code ${exited}:\n${output}`);
      try {
        const response = await fetch(url + "/openapi/v1.json");
        if (response.ok) return await response.json();
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`the server did not serve /openapi/v1.json within 120 s:\n${output}`);
      await new Promise(r => setTimeout(r, 100));
    }
  } finally {
    if (exited === null) {
      child.kill("SIGTERM");
      await exit;
    }
    rmSync(dir, {recursive: true, force: true});
  }
}

main(process.argv.slice(2)).then(code => (process.exitCode = code), error => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
