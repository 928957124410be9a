// The example scenarios (examples/scenarios) run by name and timed: what
// `oslab demo` and `npm run bench` print their tables from.

import path from "node:path";
import { repoRoot } from "../labs/lab";
import { loadScenario } from "../solution/src/scenario/parse";
import { ScenarioResult, Snapshot, runScenario } from "../solution/src/scenario/run";
import { Scenario } from "../solution/src/scenario/types";

/** The folder of the example scenarios (found from dist/cli or cli alike). */
export const EXAMPLES_DIR = path.join(repoRoot(), "examples", "scenarios");

/** A scenario's result and the host time its run took. */
export interface TimedRun {
  result: ScenarioResult;
  ms: number;
}

/** Runs `scenario` on a fresh machine, timing the run (not the loading). */
export function runTimed(scenario: Scenario): TimedRun {
  const t0 = process.hrtime.bigint();
  const result = runScenario(scenario);
  return { result, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Loads examples/scenarios/NAME.json and runs it; throws when the file is invalid. */
export function runExample(name: string): TimedRun {
  return runTimed(loadScenario(path.join(EXAMPLES_DIR, `${name}.json`)));
}

/** The snapshot `label` of a run; throws when the scenario recorded none. */
export function snapshotOf(r: ScenarioResult, label: string): Snapshot {
  const s = r.snapshots[label];
  if (s === undefined) throw new Error(`The scenario recorded no snapshot "${label}"`);
  return s;
}
