// `npm pack` gives a tarball that installs into a fresh project and imports there as an ES module with its types.
import {test} from "node:test";
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join, dirname} from "node:path";
import {fileURLToPath} from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

test("npm pack produces a tarball that installs and imports in another project", t => {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-ts-pack-"));
  t.after(() => rmSync(dir, {recursive: true, force: true}));
  const npm = (args, cwd) => execFileSync("npm", args, {cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"]});
  // dist/ is already built by `npm run build`; --ignore-scripts skips building it again.
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", dir], packageDir));
  const files = packed.files.map(f => f.path);
  for (const f of ["dist/index.js", "dist/index.d.ts", "dist/react.js", "dist/react.d.ts", "dist/tanstack.js", "dist/tanstack.d.ts", "README.md", "package.json"]) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some(f => f.startsWith("test/") || f.startsWith("node_modules/")), "no tests or dependencies packed");

  const app = join(dir, "app");
  execFileSync("mkdir", ["-p", app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({name: "app", private: true, type: "module"}));
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", join(dir, packed.filename)], app);
  const installed = join(app, "node_modules", "@switchboard", "client");
  assert.ok(existsSync(join(installed, "dist", "index.d.ts")));
  assert.equal(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).dependencies.phoenix, "1.8.16");
  writeFileSync(join(app, "check.mjs"), `
    import {SwitchboardClient, Subscriber, createLiveView, SwitchboardProblem, schemas} from "@switchboard/client";
    if (typeof SwitchboardClient !== "function" || typeof Subscriber !== "function" || typeof createLiveView !== "function") throw new Error("missing exports");
    if (!schemas.SessionResponse.id.required) throw new Error("schemas");
    console.log("imported", new SwitchboardClient("http://127.0.0.1:1").url, new SwitchboardProblem({type: "t", title: "t", status: 404, detail: "d", code: "c"}).message);
  `);
  const out = execFileSync("node", ["check.mjs"], {cwd: app, encoding: "utf8"});
  assert.match(out, /imported http:\/\/127\.0\.0\.1:1 404 c: d/);
});
