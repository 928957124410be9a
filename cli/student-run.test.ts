// What a student reads from `npm test` in the starter (issue 11, point 6):
// the untouched starter on one screen, a line per function not written yet
// with the tests waiting on it; each example mistake's public failures as
// sentences, never a bare Expected/Received; a type error in one of the
// three files reported in one block. Run as a student runs it: the
// starter's own "test" script, in a copy of the starter.

import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadLab, repoRoot } from "../labs/lab";

const run = promisify(execFile);
const root = repoRoot();
const lab = loadLab("cow", root);
const EXAMPLES = path.join(root, "examples", "submissions");
const cache = mkdtempSync(path.join(os.tmpdir(), "oslab-student-run-cache-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

interface JestJson {
  numFailedTests: number;
  numPassedTests: number;
  testResults: { assertionResults: { status: string; title: string; failureMessages: string[] }[] }[];
}

interface StudentRun {
  code: number;
  json: JestJson;
  /** What the student's reporter printed (stderr). */
  printed: string;
}

/** `npm test -- ...extra`'s Jest in a copy of the starter with `files` (path → text) written over it. */
async function npmTest(files: ReadonlyMap<string, string>, extra: readonly string[] = []): Promise<StudentRun> {
  const dir = starterCopy(files);
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: { test: string } };
  const [, ...testArgs] = pkg.scripts.test.split(/\s+/);
  const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
  const args = [jest, ...testArgs, ...extra, "--ci", "--json", `--cacheDirectory=${cache}`];
  try {
    const r = await run(process.execPath, args, { cwd: dir, maxBuffer: 64 << 20 });
    return { code: 0, json: JSON.parse(r.stdout) as JestJson, printed: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, json: JSON.parse(err.stdout) as JestJson, printed: err.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A copy of the starter in a new folder, with the kit's node_modules and `files` written over it. */
function starterCopy(files: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-student-run-"));
  cpSync(lab.starter, dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [rel, text] of files) writeFileSync(path.join(dir, rel), text);
  return dir;
}

/** The three files of a folder that holds a submission. */
function submission(dir: string): Map<string, string> {
  return new Map(lab.editPoints.map((e) => [e.file, readFileSync(path.join(dir, e.file), "utf8")] as const));
}

const allTests = (r: StudentRun): { title: string; status: string; failureMessages: string[] }[] =>
  r.json.testResults.flatMap((s) => s.assertionResults);

// A failure's message: its text before the stack trace.
function messageOf(failure: string): string {
  const lines = failure.split("\n");
  const end = lines.findIndex((l) => /^\s+at /.test(l));
  return (end < 0 ? lines : lines.slice(0, end)).join("\n").trim();
}

test("the untouched starter fits on one screen: each function not written yet on one line, every test waiting on one", async () => {
  const r = await npmTest(new Map());
  expect(r.code).toBe(1);
  const lines = r.printed.trimEnd().split("\n");
  expect(lines.length).toBeLessThanOrEqual(50);
  expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
  for (const e of lab.editPoints) {
    const line = `  ${e.function}() in ${e.file}: part ${e.part}, handout "Part ${e.part}: ${e.title}"`;
    expect(lines.filter((l) => l === line)).toHaveLength(1);
  }
  const tests = allTests(r);
  expect(tests.length).toBeGreaterThanOrEqual(20);
  for (const t of tests) {
    expect(t.status).toBe("failed");
    expect(lines.filter((l) => l.startsWith("      ") && l.endsWith(` › ${t.title}`))).toHaveLength(1);
  }
  expect(lines[lines.length - 1]).toBe(
    `Tests: 0 passed, 0 failed, ${tests.length} waiting on a function not written yet, of ${tests.length}, 0 type errors.`,
  );
}, 120_000);

test("the solution's three files pass every public test, and the report says only the totals", async () => {
  const r = await npmTest(submission(path.join(EXAMPLES, "reference")));
  expect(r.json.numFailedTests).toBe(0);
  expect(r.code).toBe(0);
  const n = r.json.numPassedTests;
  expect(r.printed.trimEnd().split("\n").pop()).toBe(
    `Tests: ${n} passed, 0 failed, 0 waiting on a function not written yet, of ${n}, 0 type errors.`,
  );
}, 120_000);

test("npm test -- partB runs part B alone, and the report counts only its tests", async () => {
  const r = await npmTest(submission(path.join(EXAMPLES, "reference")), ["partB"]);
  expect(r.code).toBe(0);
  expect(r.printed.split("\n").filter((l) => l.startsWith("tests/"))).toEqual([
    `tests/partB-cow.test.ts  ${r.json.numPassedTests} passed`,
  ]);
}, 120_000);

const mistakes = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "reference" && d.name !== "starter")
  .map((d) => d.name);

test.each(mistakes)(
  "%s fails a public test, and each failure is a sentence with values, not a bare diff",
  async (name) => {
    const r = await npmTest(submission(path.join(EXAMPLES, name)));
    const failed = allTests(r).filter((t) => t.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) {
      const message = messageOf(t.failureMessages.join("\n"));
      expect({ title: t.title, message }).not.toMatchObject({ message: expect.stringMatching(/Expected|Received/) });
      expect({ title: t.title, message }).not.toMatchObject({ message: expect.stringContaining(t.title) });
      // a sentence: it ends with a full stop, and names a function or a process, frame or counter with its value
      expect({ title: t.title, message }).toMatchObject({ message: expect.stringMatching(/\.$/) });
      expect({ title: t.title, message }).toMatchObject({
        message: expect.stringMatching(/\w+\(\)|pid \d|frame \d|\w+ went up by \d|\w+ is \d/),
      });
    }
    expect(r.printed).not.toMatch(/^\s+at (?!src\/kernel\/|tests\/)/m);
  },
  120_000,
);

test("a type error in one of the three files is reported in one block naming the file and line, and fails the run", async () => {
  const files = submission(path.join(EXAMPLES, "reference"));
  const rel = "src/kernel/cow.ts";
  files.set(rel, `${files.get(rel)!}\nexport const oops: number = "not a number";\n`);
  const r = await npmTest(files);
  expect(r.json.numFailedTests).toBe(0); // the tests ran anyway
  expect(r.code).toBe(1);
  const line = files.get(rel)!.split("\n").length - 1;
  expect(r.printed).toContain(
    "TypeScript finds 1 type error (the tests above ran anyway; the grader reports them too):\n" +
      `  ${rel}:${line}:14 TS2322: Type 'string' is not assignable to type 'number'.`,
  );
}, 120_000);

test("a syntax error in one of the three files is called one, names file:line, says what the grader does, and prints no colour codes", async () => {
  const files = submission(path.join(EXAMPLES, "reference"));
  const rel = "src/kernel/cow.ts";
  const text = files.get(rel)!;
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes("PGROUNDDOWN(va)")) + 1;
  expect(line).toBeGreaterThan(0);
  files.set(rel, text.replace("PGROUNDDOWN(va)", "PGROUNDDOWN(va"));
  const r = await npmTest(files);
  expect(r.code).toBe(1);
  expect(r.printed).not.toContain("\u001b[");
  expect(r.printed).not.toContain("type error (the tests above ran anyway");
  expect(r.printed).toContain(
    `1 syntax error in ${rel}: 3 test files could not run because of it (none of their tests ran):`,
  );
  expect(r.printed).toMatch(new RegExp(`^  ${rel}:${line}:\\d+ TS1005: '\\)' expected\\.$`, "m"));
  expect(r.printed).toContain(
    "In the grader, part B, which needs it, scores 0 (tests and thresholds), and the other parts are graded " +
      `with the reference's version of ${rel} in its place (handout: "A file that does not compile or load").`,
  );
  expect(r.printed).toMatch(
    new RegExp(`tests/partA-fork\\.test\\.ts could not run: the syntax error at ${rel}:${line}:`),
  );
  expect(r.printed.trimEnd().split("\n").pop()).toBe(
    "Tests: 0 passed, 0 failed, 0 waiting on a function not written yet, 3 test files could not run, of 0, 1 syntax error, 0 type errors.",
  );
}, 120_000);

test("a COW copy that keeps the old frame's reference: the reuse test says the count it saw and why, not 'one reference left'", async () => {
  const r = await npmTest(submission(path.join(EXAMPLES, "cow-copy-leaks-old-frame")), ["partB"]);
  const reuse = allTests(r).find((t) => t.title.startsWith("once the other sharer has its own copy"))!;
  expect(reuse.status).toBe("failed");
  const message = messageOf(reuse.failureMessages.join("\n"));
  expect(message).not.toContain("had one reference left");
  expect(message).toMatch(/Frame \d+ had 2 references when the parent wrote, though only the parent still maps it: /);
  expect(message).toContain("cowfault() should kfree() it after copying");
}, 120_000);

test("a kernel loop that never ends is stopped locally at the grader's step budget, from tests/engine/grading.json", async () => {
  const files = submission(path.join(EXAMPLES, "reference"));
  const rel = "src/kernel/cow.ts";
  const body = "export function cowfault(pagetable: Pagetable, va: number, asid: number): CowResult {";
  expect(files.get(rel)!).toContain(body);
  files.set(rel, files.get(rel)!.replace(body, `${body}\n  for (;;) walk(pagetable, va, false);`));
  const r = await npmTest(files, ["partB", "-t", "a write by the parent changes only"]);
  const grading = JSON.parse(readFileSync(path.join(lab.starter, "tests", "engine", "grading.json"), "utf8")) as {
    stepBudget: number;
  };
  const budgets = [...r.printed.matchAll(/budget of ([\d,]+) steps/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
  expect(budgets.length).toBeGreaterThan(0);
  expect(new Set(budgets)).toEqual(new Set([grading.stepBudget]));
}, 120_000);

test("a Node-only call that fails many tests in the grader's engine is explained once, listing the tests", async () => {
  const files = submission(path.join(EXAMPLES, "reference"));
  const rel = "src/kernel/cow.ts";
  const body = "export function cowfault(pagetable: Pagetable, va: number, asid: number): CowResult {";
  files.set(rel, files.get(rel)!.replace(body, `${body}\n  structuredClone(va);`));
  const r = await npmTest(files, ["partB"]);
  const failed = allTests(r).filter((t) => t.status === "failed");
  expect(failed.length).toBeGreaterThan(1);
  const engine = "The grader runs your files in QuickJS";
  expect(r.printed.split(engine)).toHaveLength(2); // once
  expect(r.printed).toContain(
    `✕ ${failed.length} tests pass in Node and fail in the grader's engine, all for the reason below: they would fail when graded.`,
  );
  for (const t of failed) expect(r.printed).toContain(` › ${t.title}\n`);
  expect(r.printed).toContain("structuredClone (line ");
  expect(r.printed).toContain(`Failed (${failed.length}):`);
}, 120_000);

test("npm test keeps Jest's cache (and the type check's answer) inside the project, not in a folder the machine shares", async () => {
  const dir = starterCopy(new Map());
  try {
    const jest = path.join(root, "node_modules", "jest", "bin", "jest.js");
    const r = await run(process.execPath, [jest, "--showConfig"], { cwd: dir, maxBuffer: 64 << 20 });
    const config = JSON.parse(r.stdout) as { configs: { cacheDirectory: string }[] };
    expect(config.configs.map((c) => c.cacheDirectory)).toEqual([path.join(dir, "node_modules", ".cache", "jest")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
