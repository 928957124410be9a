// The type check of `npm test`, run by the reporter (reporter.js) in a
// process of its own while Jest runs the tests, which it compiles without
// checking types (ts-jest with isolatedModules: faster). It checks what
// the grader checks: your three files (tests/engine/grading.json) and what
// they import, with tsconfig.json's options and Node's types, not Jest's.
//
//   node tests/support/typecheck.js ROOT CACHE_DIR
//
// prints a JSON list of errors ({ file, line, column, code, message, syntax },
// file relative to ROOT; syntax: true for a syntax error, which stops the
// file from loading at all, false for a type error) and exits 0, or prints why it could not check and
// exits 2. The answer is kept in CACHE_DIR (Jest's cache folder) under a
// key made of tsconfig.json and every file under src/: when none of them
// changed since the last check, the answer is the same and TypeScript is
// not even loaded.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE_NAME = "oslab-typecheck.json";

/** The type errors of ROOT's student files, from the cache when nothing they depend on changed. */
function cachedTypeErrors(root, cacheDir) {
  const key = keyOf(root);
  const file = path.join(cacheDir, CACHE_NAME);
  try {
    const cached = JSON.parse(fs.readFileSync(file, "utf8"));
    if (cached.key === key) return cached.errors;
  } catch {
    // no cache yet, or an unreadable one: check
  }
  const errors = typeErrors(root);
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify({ key, errors }));
  fs.renameSync(`${file}.${process.pid}`, file);
  return errors;
}

// A hash of what the check reads from the project: tsconfig.json, grading.json, the installed
// versions (package-lock.json), every file under src/, and this check itself (what it answers).
function keyOf(root) {
  const hash = crypto.createHash("sha256").update(root);
  const lock = fs.existsSync(path.join(root, "package-lock.json")) ? ["package-lock.json"] : [];
  const files = ["tsconfig.json", ...lock, path.join("tests", "engine", "grading.json"), ...filesUnder(root, "src")];
  const self = path.relative(root, path.resolve(process.argv[1])); // this file
  if (!self.startsWith("..")) files.push(self);
  for (const rel of files) hash.update(`\0${rel}\0`).update(fs.readFileSync(path.join(root, rel)));
  return hash.digest("hex");
}

function filesUnder(root, rel) {
  const out = [];
  for (const e of fs
    .readdirSync(path.join(root, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...filesUnder(root, child));
    else if (e.isFile()) out.push(child);
  }
  return out;
}

/** The type errors of ROOT's student files, as plain data. */
function typeErrors(root) {
  const ts = require(require.resolve("typescript", { paths: [root] }));
  const configFile = path.join(root, "tsconfig.json");
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configFile);
  const grading = JSON.parse(fs.readFileSync(path.join(root, "tests", "engine", "grading.json"), "utf8"));
  const rootNames = grading.studentFiles.map((rel) => path.join(root, rel));
  const options = { ...parsed.options, noEmit: true, types: ["node"] };
  const program = ts.createProgram({ rootNames, options });
  const syntactic = new Set(program.getSyntacticDiagnostics());
  return ts.getPreEmitDiagnostics(program).map((d) => diagnostic(ts, d, root, syntactic.has(d)));
}

function diagnostic(ts, d, root, syntax) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.file === undefined || d.start === undefined)
    return { file: null, line: 0, column: 0, code: d.code, message, syntax };
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const file = path.relative(root, d.file.fileName).split(path.sep).join("/");
  return { file, line: line + 1, column: character + 1, code: d.code, message, syntax };
}

try {
  const [root, cacheDir] = process.argv.slice(2).map((a) => path.resolve(a));
  process.stdout.write(JSON.stringify(cachedTypeErrors(root, cacheDir)));
} catch (e) {
  process.stderr.write(String(e && e.message ? e.message : e));
  process.exitCode = 2;
}
