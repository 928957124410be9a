// What a grading worker (or the report's timeline child) is asked to run for
// one submission: the kit, the student files' JavaScript as text (the
// worker reads no file of the submission), the suites, the threshold
// scenarios and the rubric's budgets.

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Kit } from "./kit";
import type { RunRequest, ScenarioJob } from "./protocol";

/**
 * What a worker is asked to run for the submission compiled into
 * `workspace`. A file of `uncompiled` (it did not compile) travels as an
 * empty module: the units of its parts are not run, and the other parts
 * run with the reference's edit points in its place.
 */
export function runRequestOf(
  kit: Kit,
  workspace: string,
  seed: number,
  uncompiled: readonly string[] = [],
): Omit<RunRequest, "type" | "skip"> {
  const scenarios: ScenarioJob[] = kit.rubric.thresholds.map((t) => ({
    id: t.id,
    file: path.join(kit.cacheDir, "thresholds", t.scenario),
    figure: t.figure,
    own: kit.rubric.parts.find((p) => p.id === t.part)?.files ?? [],
  }));
  const limits = kit.rubric.limits;
  // the student files travel as text: the worker reads no file of the submission
  const files = kit.rubric.studentFiles.map((rel) => ({
    rel,
    js: uncompiled.includes(rel) ? "" : readFileSync(path.join(workspace, rel.replace(/\.ts$/, ".js")), "utf8"),
  }));
  return {
    kit: kit.cacheDir,
    files,
    engine: {
      steps: limits.engineSteps,
      memoryBytes: limits.engineMemoryMb * 1024 * 1024,
      stackBytes: limits.engineStackKb * 1024,
    },
    studentFiles: kit.rubric.studentFiles,
    editPoints: kit.editPoints.map((e) => ({ file: e.file, function: e.function })),
    reference: kit.reference,
    testFiles: kit.testFiles,
    scenarios,
    stepBudget: limits.stepBudget,
    testMs: limits.testSeconds * 1000,
    seed,
    outputChars: limits.outputKb * 1024,
    submissionOutputChars: limits.submissionOutputKb * 1024,
  };
}
