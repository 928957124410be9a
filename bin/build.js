// Compiles the kit's TypeScript into dist/ when dist/ is missing or older
// than a source file; every command line and benchmark starts through it,
// so that a start costs no compile unless something changed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const stamp = path.join(root, "dist", ".built");
const SOURCES = ["solution/src", "cli", "grader", "handout", "labs", "bench"];

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules") newest = Math.max(newest, newestSource(p));
    } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) {
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds dist/ if needed; exits the process with status 2 when tsc fails. */
function ensureBuilt() {
  const newest = Math.max(...SOURCES.map((d) => newestSource(path.join(root, d))));
  if (builtAt() >= newest) return;
  process.stderr.write("oslab: compiling the kit's TypeScript (once after each change)...\n");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  try {
    execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
  } catch {
    process.stderr.write("oslab: the TypeScript did not compile; fix the errors above and run the command again.\n");
    process.exit(2);
  }
  fs.writeFileSync(stamp, new Date().toISOString() + "\n");
}

/** The compiled file for a source path relative to the repository root, e.g. "cli/oslab". */
function built(relative) {
  return path.join(root, "dist", relative + ".js");
}

module.exports = { ensureBuilt, built, root };

// `node bin/build.js [ENTRY [ARGS...]]`: build, then run dist/ENTRY.js with ARGS.
if (require.main === module) {
  ensureBuilt();
  const entry = process.argv[2];
  if (entry !== undefined) {
    process.argv.splice(1, 2, built(entry));
    require(built(entry));
  }
}
