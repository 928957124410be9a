// The solution (and so the starter) holds the scenarios the handout cites,
// copied from the kit's seeds and the lab's thresholds, never edited apart.

import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRubric } from "../grader/rubric";
import { Lab, loadLab, repoRoot } from "../labs/lab";
import {
  SEEDS_DIR,
  THRESHOLDS_DIR,
  checkScenarioCopies,
  scenarioCopies,
  writeScenarioCopies,
} from "./_scenario-copies";
import { SEEDS_SOURCE } from "./starter";

const lab = loadLab("cow", repoRoot());

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "oslab-copies-"));
}

test("the solution holds every seed experiment and every visible threshold's scenario, as the kit's files hold them", () => {
  const copies = scenarioCopies(lab, SEEDS_SOURCE);
  const seeds = readdirSync(SEEDS_SOURCE).filter((f) => f.startsWith("seed") && f.endsWith(".json"));
  expect(seeds).toContain("seed001-many-forks.json");
  expect(copies.map((c) => c.target)).toEqual(
    expect.arrayContaining([
      ...seeds.map((f) => `${SEEDS_DIR}/${f}`),
      ...loadRubric(lab.dir).thresholds.map((t) => `${THRESHOLDS_DIR}/${path.basename(t.scenario)}`),
    ]),
  );
  expect(checkScenarioCopies(lab, copies)).toEqual([]);
  for (const c of copies)
    expect(readFileSync(path.join(lab.starter, c.target), "utf8")).toBe(readFileSync(c.source, "utf8"));
});

test("a missing copy, a copy edited by hand and a file with no source are each named, and writing repairs all three", () => {
  const solution = tempDir();
  const sources = tempDir();
  try {
    const fixture: Lab = { ...lab, solution };
    const copies = ["a.json", "b.json"].map((f) => {
      writeFileSync(path.join(sources, f), `{"name": "${f}"}\n`);
      return { source: path.join(sources, f), target: `${SEEDS_DIR}/${f}` };
    });
    writeScenarioCopies(fixture, copies);
    writeFileSync(path.join(solution, SEEDS_DIR, "b.json"), "{}\n");
    writeFileSync(path.join(solution, SEEDS_DIR, "mine.json"), "{}\n");
    rmSync(path.join(solution, SEEDS_DIR, "a.json"));
    const from = (f: string) => path.relative(solution, path.join(sources, f));
    expect(checkScenarioCopies(fixture, copies)).toEqual([
      `${SEEDS_DIR}/a.json is missing (a copy of ${from("a.json")})`,
      `${SEEDS_DIR}/b.json is not what ${from("b.json")} holds`,
      `${SEEDS_DIR}/mine.json should not be there (no source in the kit)`,
    ]);
    expect(writeScenarioCopies(fixture, copies)).toBe(3);
    expect(checkScenarioCopies(fixture, copies)).toEqual([]);
  } finally {
    rmSync(solution, { recursive: true, force: true });
    rmSync(sources, { recursive: true, force: true });
  }
});

test("a hidden threshold's scenario is not copied: students never see it", () => {
  const dir = tempDir();
  try {
    cpSync(lab.dir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}tests`) });
    const rubric = JSON.parse(readFileSync(path.join(dir, "rubric.json"), "utf8")) as {
      thresholds: { scenario: string; visibility: string }[];
    };
    const hidden = rubric.thresholds[0]!;
    hidden.visibility = "hidden";
    writeFileSync(path.join(dir, "rubric.json"), JSON.stringify(rubric));
    const targets = scenarioCopies({ ...lab, dir }, SEEDS_SOURCE).map((c) => c.target);
    const others = rubric.thresholds.filter((t) => t.scenario !== hidden.scenario);
    expect(targets).not.toContain(`${THRESHOLDS_DIR}/${path.basename(hidden.scenario)}`);
    expect(targets).toContain(`${THRESHOLDS_DIR}/${path.basename(others[0]!.scenario)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
