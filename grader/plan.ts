// The units a submission's run is expected to report: every hidden test (by
// its key) and every threshold's scenario, in the order they run. The
// reference solution's run of the same suites makes the plan of a batch.

import { Rubric, UnitOutcome } from "./model";
import { scenarioKey } from "./protocol";
import { rubricIdOf } from "./rubric";

export interface RunPlanUnit {
  readonly key: string;
  /** The suite file of a test (relative to tests/), null for a scenario. */
  readonly file: string | null;
}

/** The plan that the outcomes of a complete run describe. */
export function planOf(outcomes: readonly UnitOutcome[]): RunPlanUnit[] {
  return outcomes.map((o) => ({ key: o.key, file: o.key.startsWith("threshold:") ? null : o.key.split(" › ")[0]! }));
}

/** The rubric part a unit counts toward (a test's by its rubric id, a threshold's by its own); null when the rubric scores it nowhere. */
export function partOfUnit(unit: RunPlanUnit, rubric: Rubric): string | null {
  if (unit.file === null) return rubric.thresholds.find((t) => scenarioKey(t.id) === unit.key)?.part ?? null;
  const id = rubricIdOf(unit.key.split(" › ").pop() ?? "", rubric);
  return rubric.tests.find((t) => t.id === id)?.part ?? null;
}
