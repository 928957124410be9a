// How the grader runs the student's code (tests/engine/grading.json): which
// files are the student's and the functions in them (the lab's edit
// points), and the budgets each test gets in the grader's engine. The
// file is written from the lab by `oslab starter` (the kit checks that it
// agrees with what the grader uses); nobody edits it.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { EngineLimits } from "../../src/engine/limits";

/** grading.json's content. */
export interface Grading {
  /** A sentence for whoever opens the file. */
  readonly about: string;
  /** The files the grader takes from a submission, relative to the project ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** The functions the student writes, each with its part and the handout's title for it. */
  readonly editPoints: readonly EditPoint[];
  /** The engine's budgets for one test: steps, heap bytes, stack bytes. */
  readonly engine: EngineLimits;
  /** The simulated machine's step budget for one test. */
  readonly stepBudget: number;
}

/** A function the student writes: `Part ${part}: ${title}` is its section of the handout. */
export interface EditPoint {
  readonly part: string;
  readonly title: string;
  /** Relative to the project ("src/kernel/uvmcopy.ts"). */
  readonly file: string;
  readonly function: string;
}

/** Where grading.json sits, relative to the project's root. */
export const GRADING_FILE = "tests/engine/grading.json";

/** What grading.json says about itself. */
export const GRADING_ABOUT =
  "The functions you write and the grader's budgets for your code, written from the lab: npm test names the function a test is waiting on, and runs each test that passes a second time in the grader's engine with these budgets. Do not edit.";

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
    `  "editPoints": [`,
    g.editPoints.map((e) => `    ${editPointText(e)}`).join(",\n"),
    `  ],`,
    `  "engine": { "steps": ${steps}, "memoryBytes": ${memoryBytes}, "stackBytes": ${stackBytes} },`,
    `  "stepBudget": ${g.stepBudget}`,
    "}",
    "",
  ].join("\n");
}

// One edit point on one line, keys in a fixed order.
function editPointText(e: EditPoint): string {
  const { part, title, file, function: fn } = e;
  return `{ "part": ${JSON.stringify(part)}, "title": ${JSON.stringify(title)}, "file": ${JSON.stringify(file)}, "function": ${JSON.stringify(fn)} }`;
}
