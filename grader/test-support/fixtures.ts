// Helpers for the grader's own tests: the lab under test (the real
// labs/cow once its rubric exists, else the grader's fixture lab), the
// reference and starter submissions, and scratch folders.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadLab, repoRoot } from "../../labs/lab";
import { writeSubmission, Edit } from "../_variants";
import { loadRubric } from "../rubric";

export const ROOT = repoRoot();
export const LAB = loadLab("cow", ROOT);
export const FIXTURE_LAB = path.join(ROOT, "grader", "test-fixtures", "cow");
export const STUDENT_FILES = ["src/kernel/uvmcopy.ts", "src/kernel/cow.ts", "src/kernel/uvmfree.ts"];

/** The real lab once its rubric and every scenario it names have landed, else the fixture lab. */
export function labUnderTest(): { labDir: string; real: boolean } {
  let real = false;
  try {
    const rubric = loadRubric(LAB.dir);
    real = rubric.thresholds.every((t) => existsSync(path.join(LAB.dir, t.scenario)));
  } catch {
    real = false;
  }
  return { labDir: real ? LAB.dir : FIXTURE_LAB, real };
}

/** A new scratch folder. */
export function scratch(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `oslab-test-${prefix}-`));
}

/** Writes `files` (relative path -> text) under `dir`; returns `dir`. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** The solution's student files, with `edits`, written into `dest`. */
export function solutionSubmission(dest: string, edits: readonly Edit[] = []): string {
  writeSubmission(LAB.solution, STUDENT_FILES, dest, edits);
  return dest;
}

/** The starter's student files written into `dest`. */
export function starterSubmission(dest: string): string {
  writeSubmission(LAB.starter, STUDENT_FILES, dest);
  return dest;
}

/** The text of one of the solution's files ("src/kernel/cow.ts"). */
export function solutionText(rel: string): string {
  return readFileSync(path.join(LAB.solution, rel), "utf8");
}

/** A results.json or details.json of a graded submission. */
export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}
