// The scenarios the handout cites, copied into the solution so that the
// starter ships them: the kit's seed experiments (examples/scenarios/seed*.json)
// into scenarios/seeds/, and the scenarios of the rubric's visible thresholds
// into scenarios/thresholds/. The kit's files are the only ones anybody
// edits; `oslab starter` writes the copies and `oslab starter --check` fails
// when a copy no longer agrees with its source. A hidden threshold's
// scenario never reaches a student.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadRubric } from "../grader/rubric";
import type { Lab } from "../labs/lab";

/** The solution's folders that hold copies, relative to its root: nobody edits them by hand. */
export const SEEDS_DIR = "scenarios/seeds";
export const THRESHOLDS_DIR = "scenarios/thresholds";

/** A copy: where its source is (absolute), and where it goes (relative to the solution's root). */
export interface ScenarioCopy {
  readonly source: string;
  readonly target: string;
}

/** Every copy the solution must hold: the seeds in `seedsDir`, then the lab's visible thresholds' scenarios. */
export function scenarioCopies(lab: Lab, seedsDir: string): ScenarioCopy[] {
  const seeds = readdirSync(seedsDir)
    .filter((f) => /^seed.*\.json$/.test(f))
    .sort()
    .map((f) => ({ source: path.join(seedsDir, f), target: `${SEEDS_DIR}/${f}` }));
  const thresholds = loadRubric(lab.dir)
    .thresholds.filter((t) => t.visibility === "visible")
    .map((t) => ({ source: path.join(lab.dir, t.scenario), target: `${THRESHOLDS_DIR}/${path.basename(t.scenario)}` }));
  // two thresholds may measure one scenario: one copy; two files of one name: refused
  const byTarget = new Map<string, string>();
  for (const c of [...seeds, ...thresholds]) {
    const other = byTarget.get(c.target);
    if (other !== undefined && other !== c.source)
      throw new Error(`Cannot copy the scenarios: ${other} and ${c.source} would both be ${c.target}`);
    byTarget.set(c.target, c.source);
  }
  return [...byTarget].map(([target, source]) => ({ source, target }));
}

/** How the solution's copies disagree with their sources, as sentences (paths relative to the solution). */
export function checkScenarioCopies(lab: Lab, copies: readonly ScenarioCopy[]): string[] {
  const problems: string[] = [];
  for (const c of copies) {
    const on = read(path.join(lab.solution, c.target));
    const from = path.relative(lab.solution, c.source);
    if (on === null) problems.push(`${c.target} is missing (a copy of ${from})`);
    else if (on !== readFileSync(c.source, "utf8")) problems.push(`${c.target} is not what ${from} holds`);
  }
  for (const rel of strays(lab, copies)) problems.push(`${rel} should not be there (no source in the kit)`);
  return problems;
}

/** Writes the copies into the solution (each to a temporary name, then renamed) and removes strays; returns how many files changed. */
export function writeScenarioCopies(lab: Lab, copies: readonly ScenarioCopy[]): number {
  let changed = 0;
  for (const c of copies) {
    const text = readFileSync(c.source, "utf8");
    const target = path.join(lab.solution, c.target);
    if (read(target) === text) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(`${target}.oslab-tmp`, text);
    renameSync(`${target}.oslab-tmp`, target);
    changed++;
  }
  for (const rel of strays(lab, copies)) {
    rmSync(path.join(lab.solution, rel));
    changed++;
  }
  return changed;
}

// Files in the copies' folders that no copy writes.
function strays(lab: Lab, copies: readonly ScenarioCopy[]): string[] {
  const wanted = new Set(copies.map((c) => c.target));
  return [SEEDS_DIR, THRESHOLDS_DIR].flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(path.join(lab.solution, dir));
    } catch {
      return [];
    }
    return names.map((n) => `${dir}/${n}`).filter((rel) => !wanted.has(rel));
  });
}

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}
