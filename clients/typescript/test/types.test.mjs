// The public declarations, checked by the compiler: test/types/public-api.ts must compile against dist/*.d.ts (what an
// app sees), its @ts-expect-error lines included (each must be an error).
import {test} from "node:test";
import assert from "node:assert/strict";
import {spawnSync} from "node:child_process";
import {createRequire} from "node:module";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

test("the declarations type every approval answer and every event a topic delivers", () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", "test/types/tsconfig.json"], {cwd: packageDir, encoding: "utf8"});
  assert.equal(run.status, 0, run.stdout + run.stderr);
});
