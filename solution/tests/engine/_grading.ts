// How the grader runs the student's code (tests/engine/grading.json): which
// files are the student's, and the budgets each test gets in the grader's
// engine. The file is written from the lab's rubric by `oslab starter` (the
// kit checks that it agrees with what the grader uses); nobody edits it.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { EngineLimits } from "../../src/engine/limits";

/** grading.json's content. */
export interface Grading {
  /** A sentence for whoever opens the file. */
  readonly about: string;
  /** The files the grader takes from a submission, relative to the project ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** The engine's budgets for one test: steps, heap bytes, stack bytes. */
  readonly engine: EngineLimits;
  /** The simulated machine's step budget for one test. */
  readonly stepBudget: number;
}

/** Where grading.json sits, relative to the project's root. */
export const GRADING_FILE = "tests/engine/grading.json";

/** What grading.json says about itself. */
export const GRADING_ABOUT =
  "The grader's budgets for your code, written from the lab's rubric: npm test runs each test that passes a second time in the grader's engine with them. Do not edit.";

/** Reads the project's grading.json; throws naming the file when it cannot. */
export function loadGrading(root: string): Grading {
  const file = path.join(root, GRADING_FILE);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Grading;
  } catch (e) {
    throw new Error(`Cannot read "${file}": ${(e as Error).message}`);
  }
}

/** grading.json's text for `g`: what `oslab starter` writes (formatted as prettier leaves it). */
export function gradingText(g: Grading): string {
  const { steps, memoryBytes, stackBytes } = g.engine;
  return [
    "{",
    `  "about": ${JSON.stringify(g.about)},`,
    `  "studentFiles": [${g.studentFiles.map((f) => JSON.stringify(f)).join(", ")}],`,
    `  "engine": { "steps": ${steps}, "memoryBytes": ${memoryBytes}, "stackBytes": ${stackBytes} },`,
    `  "stepBudget": ${g.stepBudget}`,
    "}",
    "",
  ].join("\n");
}
