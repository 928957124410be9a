// The budgets the student's `npm test` checks their code with
// (solution/tests/engine/grading.json) are the grader's: written from the
// rubric, checked against what the grader sends a grading worker.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kit } from "../grader/kit";
import { COMPILER_OPTIONS } from "../grader/kit";
import { runRequestOf } from "../grader/request";
import { loadRubric } from "../grader/rubric";
import { Lab, loadLab, repoRoot } from "../labs/lab";
import { GRADING_FILE, gradingText, loadGrading } from "../solution/tests/engine/_grading";
import { GRADER_COMPILER_OPTIONS } from "../solution/tests/engine/_host";
import { checkGradingFile, gradingOf, writeGradingFile } from "./_grading-file";

const lab = loadLab("cow", repoRoot());

test("the solution's grading.json carries the budgets and files the grader sends a grading worker", () => {
  const workspace = mkdtempSync(path.join(os.tmpdir(), "oslab-grading-"));
  try {
    const rubric = loadRubric(lab.dir);
    for (const rel of rubric.studentFiles) {
      mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      writeFileSync(path.join(workspace, rel.replace(/\.ts$/, ".js")), "");
    }
    const kit = { rubric, cacheDir: workspace, testFiles: [], editPoints: lab.editPoints } as unknown as Kit;
    const request = runRequestOf(kit, workspace, 1);
    const grading = loadGrading(lab.solution);
    expect(grading.engine).toEqual(request.engine);
    expect(grading.stepBudget).toBe(request.stepBudget);
    expect(grading.studentFiles).toEqual(request.studentFiles);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

test("the starter ships the solution's grading.json", () => {
  const shipped = readFileSync(path.join(lab.starter, GRADING_FILE), "utf8");
  expect(shipped).toBe(readFileSync(path.join(lab.solution, GRADING_FILE), "utf8"));
  expect(checkGradingFile(lab)).toBeNull();
});

test("a grading.json that no longer agrees with the rubric is found, and written again from it", () => {
  const solution = mkdtempSync(path.join(os.tmpdir(), "oslab-grading-"));
  try {
    const copy: Lab = { ...lab, solution };
    mkdirSync(path.join(solution, "tests", "engine"), { recursive: true });
    expect(checkGradingFile(copy)).toBe(`${GRADING_FILE} is missing`);
    const wrong = { ...gradingOf(lab), stepBudget: 1 };
    writeFileSync(path.join(solution, GRADING_FILE), gradingText(wrong));
    const rubric = path.relative(solution, path.join(lab.dir, "rubric.json"));
    expect(checkGradingFile(copy)).toBe(`${GRADING_FILE} is not what ${rubric} gives`);
    expect(writeGradingFile(copy)).toBe(true);
    expect(checkGradingFile(copy)).toBeNull();
    expect(loadGrading(solution).stepBudget).toBe(loadRubric(lab.dir).limits.stepBudget);
    expect(writeGradingFile(copy)).toBe(false);
  } finally {
    rmSync(solution, { recursive: true, force: true });
  }
});

test("the student's engine run compiles their files with the grader's compiler options", () => {
  expect(GRADER_COMPILER_OPTIONS).toEqual(COMPILER_OPTIONS);
});

test("reading a grading.json that is not there names the file", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "oslab-grading-"));
  try {
    expect(() => loadGrading(dir)).toThrow(`Cannot read "${path.join(dir, GRADING_FILE)}": `);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
