// What `npm test` prints, in place of Jest's own report: a line per test
// file as it finishes, then each failed test with its message and where it
// failed (no stack trace), then each function not written yet on one line
// with the tests waiting on it, then the type errors, then the totals.
// A test waits on a function when it reached that function's stub
// (tests/support/_not-written.ts). The type check (typecheck.js) runs in
// its own process meanwhile; a type error fails the run. A syntax error is
// told apart: the test files that load its file could not run at all.
// Nothing printed carries colour codes unless stderr is a terminal.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

class StudentReporter {
  constructor(globalConfig) {
    this.root = globalConfig.rootDir;
    this.grading = gradingOf(this.root);
    this.studentFiles = this.grading.studentFiles;
    this.silent = globalConfig.silent === true;
    this.files = []; // { rel, results, execError }
    this.typeCheck = null;
    this.failedTypeCheck = false;
  }

  // A new run (jest --watch runs again in the same reporter): nothing from the last one.
  onRunStart() {
    this.files = [];
    this.typeCheck = null;
    this.failedTypeCheck = false;
  }

  // The type check starts with the first test file, whose project names Jest's cache folder.
  onTestFileStart(test) {
    this.typeCheck ??= runTypeCheck(this.root, test.context.config.cacheDirectory);
  }

  onTestResult(test, result) {
    const rel = relative(this.root, test.path);
    const file = { rel, results: result.testResults, execError: result.testExecError ?? null };
    this.files.push(file);
    write(fileLine(file));
    if (!this.silent) for (const entry of result.console ?? []) write(consoleLine(this.root, entry));
  }

  async onRunComplete() {
    const files = [...this.files].sort((a, b) => (a.rel < b.rel ? -1 : 1));
    const typeCheck = this.typeCheck === null ? { errors: [], trouble: null } : await this.typeCheck;
    this.failedTypeCheck = typeCheck.errors.length > 0;
    const blocks = [
      failures(this.root, this.studentFiles, files, typeCheck),
      waiting(files),
      syntaxBlock(this.grading, files, typeCheck),
      typeBlock(typeCheck),
      totals(files, typeCheck),
    ];
    write(
      "\n" +
        blocks
          .filter((b) => b.length > 0)
          .map((b) => b.join("\n"))
          .join("\n\n"),
    );
  }

  getLastError() {
    return this.failedTypeCheck ? new Error("type errors") : undefined;
  }
}

// --- the type check, in a process of its own --------------------------------

function runTypeCheck(root, cacheDir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, "typecheck.js"), root, cacheDir], { stdio: "pipe" });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => resolve({ errors: [], trouble: e.message }));
    child.on("close", (code) => {
      if (code === 0) resolve({ errors: JSON.parse(out), trouble: null });
      else resolve({ errors: [], trouble: err.trim() || `it exited with status ${code}` });
    });
  });
}

// --- as each file finishes ---------------------------------------------------

function fileLine(file) {
  if (file.execError !== null) return `${file.rel}  could not run`;
  const c = counts([file]);
  const parts = [
    [c.failed, "failed"],
    [c.waiting, "waiting"],
    [c.passed, "passed"],
  ].filter(([n]) => n > 0);
  return `${file.rel}  ${parts.map(([n, what]) => `${n} ${what}`).join(", ")}`;
}

function consoleLine(root, entry) {
  const origin = String(entry.origin ?? "").split("\n")[0] ?? "";
  const at = /\((.*):(\d+):\d+\)$|at (.*):(\d+):\d+$/.exec(origin.trim());
  const where = at === null ? "" : `  (${relative(root, at[1] ?? at[3])}:${at[2] ?? at[4]})`;
  return `  console.${entry.type}${where}: ${entry.message}`;
}

// --- the report at the end ---------------------------------------------------

function failures(root, studentFiles, files, typeCheck) {
  const out = [];
  const inEngine = new Map(); // paragraph -> the tests that failed in the engine for it, in out
  for (const file of files) {
    if (file.execError !== null) {
      const cause = syntaxCause(file, typeCheck);
      out.push(
        cause === null
          ? `✕ ${file.rel} could not run:\n${indent(messageOf(file.execError.message ?? ""), 4)}`
          : `✕ ${file.rel} could not run: the syntax error at ${at(cause)} stops it loading (see below)`,
      );
      continue;
    }
    for (const t of file.results) {
      if (t.status !== "failed" || isWaiting(t)) continue;
      const paragraph = engineParagraph(t);
      if (paragraph !== null) {
        let group = inEngine.get(paragraph);
        if (group === undefined) {
          group = { paragraph, tests: [], text: "" };
          inEngine.set(paragraph, group);
          out.push(group);
        }
        group.tests.push(testName(file, t));
        group.text = messageOf(t.failureMessages.join("\n")); // what one test alone shows
        continue;
      }
      const text = t.failureMessages.join("\n");
      const where = whereFrom(root, studentFiles, text).map((w) => `    at ${w}`);
      out.push([`✕ ${testName(file, t)}`, indent(messageOf(text), 4), ...where].join("\n"));
    }
  }
  const n = out.reduce((sum, o) => sum + (typeof o === "string" ? 1 : o.tests.length), 0);
  return out.length === 0 ? [] : [`Failed (${n}):`, "", out.map(engineGroup).join("\n\n")];
}

// Tests that passed in Node and failed in the grader's engine for one reason: the reason once.
function engineGroup(o) {
  if (typeof o === "string") return o;
  if (o.tests.length === 1) return [`✕ ${o.tests[0]}`, indent(o.text, 4)].join("\n");
  return [
    `✕ ${o.tests.length} tests pass in Node and fail in the grader's engine, all for the reason below: they would fail when graded.`,
    ...o.tests.map((t) => `      ${t}`),
    indent(o.paragraph, 4),
  ].join("\n");
}

// The paragraph of a test's only failure when it failed in the grader's engine (tests/engine/setup.ts), or null.
function engineParagraph(t) {
  if (t.failureDetails.length !== 1) return null;
  const d = t.failureDetails[0];
  const e = d !== null && typeof d === "object" ? d.engine : undefined;
  return e !== null && typeof e === "object" && typeof e.paragraph === "string" ? e.paragraph : null;
}

function waiting(files) {
  const byFunction = new Map();
  for (const file of files)
    for (const t of file.results) {
      const w = waitingOn(t);
      if (w === null) continue;
      if (!byFunction.has(w.function)) byFunction.set(w.function, { w, tests: [] });
      byFunction.get(w.function).tests.push(testName(file, t));
    }
  if (byFunction.size === 0) return [];
  const out = ["Not written yet (each test waits on the first of these it reached):"];
  for (const { w, tests } of [...byFunction.values()].sort((a, b) => (a.w.part < b.w.part ? -1 : 1))) {
    out.push("", `  ${w.function}() in ${w.file}: part ${w.part}, handout "Part ${w.part}: ${w.title}"`);
    out.push(`    ${tests.length === 1 ? "1 test waits" : `${tests.length} tests wait`} on it:`);
    out.push(...tests.map((t) => `      ${t}`));
  }
  return out;
}

// The syntax error a test file could not run for: one the type check found, named in the file's error.
function syntaxCause(file, typeCheck) {
  const text = plain(file.execError.message ?? "");
  return typeCheck.errors.find((e) => e.syntax && e.file !== null && text.includes(`${e.file}:${e.line}:`)) ?? null;
}

// Syntax errors: what they stopped here, and what the grader does with the file (handout,
// "A file that does not compile or load").
function syntaxBlock(grading, files, typeCheck) {
  const errors = typeCheck.errors.filter((e) => e.syntax);
  if (errors.length === 0) return [];
  const stopped = files.filter((f) => f.execError !== null && syntaxCause(f, typeCheck) !== null).length;
  const where = [...new Set(errors.map((e) => e.file).filter((f) => f !== null))];
  const head =
    `${plural(errors.length, "syntax error")} in ${where.join(", ") || "your files"}: ` +
    `${plural(stopped, "test file")} could not run because of it (none of their tests ran):`;
  const grader = where.map((file) => {
    const part = grading.editPoints.find((e) => e.file === file)?.part;
    const scores = part === undefined ? "the part that needs it scores 0" : `part ${part}, which needs it, scores 0`;
    return (
      `In the grader, ${scores} (tests and thresholds), and the other parts are graded with the reference's ` +
      `version of ${file} in its place (handout: "A file that does not compile or load").`
    );
  });
  return [head, ...errors.map(errorLine), ...grader];
}

// Type errors (not syntax errors): the tests ran anyway.
function typeBlock(typeCheck) {
  if (typeCheck.trouble !== null) return [`The type check could not run: ${typeCheck.trouble}`];
  const errors = typeCheck.errors.filter((e) => !e.syntax);
  if (errors.length === 0) return [];
  const n = errors.length;
  const head = `TypeScript finds ${n} type error${n === 1 ? "" : "s"} (the tests above ran anyway; the grader reports them too):`;
  return [head, ...errors.map(errorLine)];
}

function errorLine(e) {
  return `  ${e.file === null ? "" : `${at(e)} `}TS${e.code}: ${e.message.split("\n").join("\n    ")}`;
}

function at(e) {
  return `${e.file}:${e.line}:${e.column}`;
}

function plural(n, what) {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function totals(files, typeCheck) {
  const c = counts(files);
  const all = c.failed + c.waiting + c.passed;
  const notRun = files.filter((f) => f.execError !== null).length;
  const parts = [
    `${c.passed} passed`,
    `${c.failed} failed`,
    `${c.waiting} waiting on a function not written yet`,
    ...(notRun > 0 ? [`${notRun} test file${notRun === 1 ? "" : "s"} could not run`] : []),
  ];
  const syntax = typeCheck.errors.filter((e) => e.syntax).length;
  const n = typeCheck.errors.length - syntax;
  const types = typeCheck.trouble === null ? `, ${plural(n, "type error")}` : "";
  const syntaxes = syntax > 0 ? `, ${plural(syntax, "syntax error")}` : "";
  return [`Tests: ${parts.join(", ")}, of ${all}${syntaxes}${types}.`];
}

// --- one test's result ------------------------------------------------------

function counts(files) {
  const c = { passed: 0, failed: 0, waiting: 0 };
  for (const f of files)
    for (const t of f.results) {
      if (t.status === "passed") c.passed++;
      else if (t.status === "failed") c[isWaiting(t) ? "waiting" : "failed"]++;
    }
  return c;
}

// The function a failed test waits on (its only error is a stub's), or null.
function waitingOn(t) {
  if (t.status !== "failed" || t.failureDetails.length === 0) return null;
  const ws = t.failureDetails.map((d) => (d !== null && typeof d === "object" ? d.notWritten : undefined));
  return ws.every((w) => w !== undefined) ? ws[0] : null;
}

function isWaiting(t) {
  return waitingOn(t) !== null;
}

function testName(file, t) {
  const part = path.basename(file.rel).replace(/\.test\.ts$/, "");
  return `${part} › ${[...t.ancestorTitles, t.title].join(" › ")}`;
}

// A failure's message: its text before the stack trace, without Jest's "Error: " in front.
function messageOf(text) {
  const lines = text.split("\n");
  const end = lines.findIndex((l) => /^\s+at /.test(l));
  const message = (end < 0 ? lines : lines.slice(0, end)).join("\n").trim();
  return message.replace(/^(Error|JestAssertionError): /, "");
}

// Where a failure happened: the innermost frame in one of your three files, and the test's line.
function whereFrom(root, studentFiles, text) {
  const frames = text
    .split("\n")
    .map((l) => /^\s+at (?:(.*) \()?(.*):(\d+):\d+\)?$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ fn: m[1] ?? null, file: relative(root, m[2]), line: m[3] }));
  const yours = frames.find((f) => studentFiles.includes(f.file));
  const inTest = frames.find((f) => f.file.startsWith("tests/") && f.file.endsWith(".test.ts"));
  return [yours, inTest]
    .filter((f) => f !== undefined)
    .map((f) => `${f.file}:${f.line}${f === yours && f.fn !== null ? ` (in ${f.fn})` : ""}`);
}

// The student's files and which part each belongs to, from tests/engine/grading.json (none when
// it cannot be read).
function gradingOf(root) {
  try {
    const g = JSON.parse(fs.readFileSync(path.join(root, "tests", "engine", "grading.json"), "utf8"));
    return { studentFiles: g.studentFiles ?? [], editPoints: g.editPoints ?? [] };
  } catch {
    return { studentFiles: [], editPoints: [] };
  }
}

// TEXT without terminal colour codes (the compiler's and Jest's messages carry them).
function plain(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function relative(root, file) {
  return path.relative(root, file).split(path.sep).join("/");
}

function indent(text, n) {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : " ".repeat(n) + l))
    .join("\n");
}

// Jest's own reporters write to stderr, and `jest --json` keeps stdout for its JSON. Colour
// codes only reach a terminal.
function write(text) {
  process.stderr.write((process.stderr.isTTY ? text : plain(text)) + "\n");
}

module.exports = StudentReporter;
