// The units a submission's run is expected to report: every hidden test (by
// its key) and every threshold's scenario, in the order they run. The
// reference solution's run of the same suites makes the plan of a batch.

import { UnitOutcome } from "./model";

export interface RunPlanUnit {
  readonly key: string;
  /** The suite file of a test (relative to tests/), null for a scenario. */
  readonly file: string | null;
}

/** The plan that the outcomes of a complete run describe. */
export function planOf(outcomes: readonly UnitOutcome[]): RunPlanUnit[] {
  return outcomes.map((o) => ({ key: o.key, file: o.key.startsWith("threshold:") ? null : o.key.split(" › ")[0]! }));
}
