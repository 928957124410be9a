// Graded batches shared by the whole test run. Grading the example
// submissions takes most of a minute; many test files read the same graded
// batch (their scores, their reports, their hints), so the first file to ask
// for it grades it and every other file, in any Jest worker, reads what it
// wrote. The run's folder comes from the global setup (run-folder.js), is new
// for each `jest` and is removed at its end: nothing carries over between runs.
//
// Across workers, a lock folder made with mkdir (atomic) says who grades; the
// others wait for its outcome file. The wait is a backstop for a grader that
// died, not a measure of speed.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BatchOutcome, GradeOptions, gradeBatch } from "../grade";
import { LAB, ROOT } from "./fixtures";

/** The environment variable naming this Jest run's shared folder (set by run-folder.js beside this file). */
export const RUN_FOLDER_VARIABLE = "OSLAB_TEST_RUN_FOLDER";

const EXAMPLES = path.join(ROOT, "examples", "submissions");
const WAIT_BACKSTOP_MS = 20 * 60_000;
const POLL_MS = 250;

/** A graded batch, and the folder holding its outputs (<out>/<id>/results.json, report.md, ...). */
export interface SharedBatch {
  readonly outcome: BatchOutcome;
  readonly out: string;
}

/** The names of examples/submissions' folders, sorted: reference, starter and every mistake. */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith("."))
    .map((d) => d.name)
    .sort();
}

/**
 * Every example submission graded once per test run on the real lab, reports
 * included, two at a time. Read-only for the caller: other files share it.
 */
export function gradedExamples(): Promise<SharedBatch> {
  return sharedBatch("examples", (out) =>
    gradeBatch(
      exampleNames().map((n) => path.join(EXAMPLES, n)),
      { lab: "cow", labDir: LAB.dir, out, jobs: 2 } satisfies GradeOptions,
    ),
  );
}

const pending = new Map<string, Promise<SharedBatch>>();

/** The batch `name` of this run: graded by `grade` into its folder by whoever asks first. */
export function sharedBatch(name: string, grade: (out: string) => Promise<BatchOutcome>): Promise<SharedBatch> {
  let p = pending.get(name);
  if (p === undefined) {
    p = gradeOrWait(path.join(runFolder(), name), grade);
    pending.set(name, p);
  }
  return p;
}

// This run's folder; without the global setup (a lone file run some other
// way), one of this process's own.
function runFolder(): string {
  const given = process.env[RUN_FOLDER_VARIABLE];
  if (given !== undefined && given !== "") return given;
  const own = mkdtempSync(path.join(os.tmpdir(), "oslab-test-run-"));
  process.env[RUN_FOLDER_VARIABLE] = own;
  process.once("exit", () => rmSync(own, { recursive: true, force: true }));
  return own;
}

async function gradeOrWait(dir: string, grade: (out: string) => Promise<BatchOutcome>): Promise<SharedBatch> {
  const out = path.join(dir, "out");
  const outcomeFile = path.join(dir, "outcome.json");
  mkdirSync(path.dirname(dir), { recursive: true });
  if (tryLock(dir)) {
    try {
      const outcome = await grade(out);
      writeFileSync(outcomeFile, JSON.stringify({ ok: outcome }));
      return { outcome, out };
    } catch (e) {
      writeFileSync(outcomeFile, JSON.stringify({ error: (e as Error).stack ?? String(e) }));
      throw e;
    }
  }
  return { outcome: await waitFor(outcomeFile), out };
}

// Whether this process takes the batch: mkdir fails when another already has.
function tryLock(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

async function waitFor(outcomeFile: string): Promise<BatchOutcome> {
  const giveUp = Date.now() + WAIT_BACKSTOP_MS;
  while (!existsSync(outcomeFile)) {
    if (Date.now() > giveUp) throw new Error(`the shared batch ${outcomeFile} never came: its grader must have died`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const read = JSON.parse(readFileSync(outcomeFile, "utf8")) as { ok?: BatchOutcome; error?: string };
  if (read.ok === undefined) throw new Error(`the shared batch failed in another test file:\n${read.error}`);
  return read.ok;
}
