// The solution's tests/engine/grading.json, written from the lab's rubric
// as the grader reads it (defaults included), so that the student's
// `npm test` checks their code in the engine with the budgets the grader
// will use. `oslab starter` writes it (and so ships it to the starter);
// `oslab starter --check` fails when it no longer agrees with the rubric.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadRubric } from "../grader/rubric";
import type { Lab } from "../labs/lab";
import { GRADING_ABOUT, GRADING_FILE, Grading, gradingText } from "../solution/tests/engine/_grading";

/** What the grader runs a test of `lab` with: its student files and budgets, from its rubric; the edit points from lab.json. */
export function gradingOf(lab: Lab): Grading {
  const { limits, studentFiles } = loadRubric(lab.dir);
  return {
    about: GRADING_ABOUT,
    studentFiles,
    editPoints: lab.editPoints.map(({ part, title, file, function: fn }) => ({ part, title, file, function: fn })),
    engine: {
      steps: limits.engineSteps,
      memoryBytes: limits.engineMemoryMb * 1024 * 1024,
      stackBytes: limits.engineStackKb * 1024,
    },
    stepBudget: limits.stepBudget,
  };
}

/** The solution's grading.json, or null when there is none. */
function onDisk(lab: Lab): string | null {
  try {
    return readFileSync(path.join(lab.solution, GRADING_FILE), "utf8");
  } catch {
    return null;
  }
}

/** Whether the solution's grading.json disagrees with the rubric: a sentence saying so, or null. */
export function checkGradingFile(lab: Lab): string | null {
  const text = onDisk(lab);
  if (text === gradingText(gradingOf(lab))) return null;
  const rubric = path.relative(lab.solution, path.join(lab.dir, "rubric.json"));
  return `${GRADING_FILE} ${text === null ? "is missing" : `is not what ${rubric} gives`}`;
}

/** Writes the solution's grading.json from the rubric (to a temporary name, then renamed); returns whether it changed. */
export function writeGradingFile(lab: Lab): boolean {
  const text = gradingText(gradingOf(lab));
  if (onDisk(lab) === text) return false;
  const target = path.join(lab.solution, GRADING_FILE);
  writeFileSync(`${target}.oslab-tmp`, text);
  renameSync(`${target}.oslab-tmp`, target);
  return true;
}
