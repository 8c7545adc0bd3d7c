// SPDX-License-Identifier: Apache-2.0
// web/client/aldis.d.ts against aldis.js: the declared value exports are the module's,
// and an application's use of the client type-checks under --strict (tsc from npm).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

test("aldis.d.ts declares exactly the module's exports", async () => {
  const runtime = Object.keys(await import("../../web/client/aldis.js")).sort();
  const declarations = readFileSync(here("../../web/client/aldis.d.ts"), "utf8");
  const declared = [...declarations.matchAll(/^export declare (?:const|class|function) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, runtime);
});

test("an application's use of the client type-checks", () => {
  try {
    execFileSync(process.execPath, [here("node_modules/typescript/bin/tsc"), "-p", here("types/tsconfig.json")], {
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (err) {
    assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`);
  }
});
