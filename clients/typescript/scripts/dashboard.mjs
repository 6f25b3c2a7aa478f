// Copies the built live module (dist/live.js, from src/live.ts) into the server's dashboard, which serves and imports it
// (src/Switchboard.Server/Dashboard/wwwroot/vendor/switchboard-client/live.js). `npm run build:dashboard` builds and copies;
// with --check it only compares and exits 1 when the checked-in copy differs (a test in `dotnet test` runs that).
import {existsSync, mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {dirname, join, relative, resolve} from "node:path";
import {fileURLToPath} from "node:url";

const client = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(client, "..", "..");
const built = join(client, "dist", "live.js");
const target = join(repo, "src", "Switchboard.Server", "Dashboard", "wwwroot", "vendor", "switchboard-client", "live.js");

if (!existsSync(built)) {
  console.error("dist/live.js is missing: run `npm run build` in clients/typescript first.");
  process.exit(2);
}

const header = "// Built from clients/typescript/src/live.ts: do not edit. Run `npm run build:dashboard` in clients/typescript.\n";
const text = header + readFileSync(built, "utf8").replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n");
const current = existsSync(target) ? readFileSync(target, "utf8") : null;
if (process.argv.includes("--check")) {
  if (current !== text) {
    console.error(`${relative(repo, target)} is not the TypeScript client's built live module: `
      + "run `npm run build:dashboard` in clients/typescript and commit the result.");
    process.exit(1);
  }
  console.log("the dashboard's copy of the live module is current");
} else if (current !== text) {
  mkdirSync(dirname(target), {recursive: true});
  writeFileSync(target, text);
  console.log(`wrote ${relative(repo, target)}`);
}
