// Running a scenario (scenarios.md) inside a hidden test, where a sequence of
// steps reads better as data than as calls.

import { parseScenario } from "@lab/scenario/parse";
import { ScenarioResult, runScenario } from "@lab/scenario/run";
import { adoptScenarioMachine } from "./suite";

/** The parts of a scenario file a test writes; version and name are filled in. */
export interface ScenarioSpec {
  readonly machine?: Record<string, number>;
  readonly images?: Record<string, { text: number; data: number; bss: number; stack: number }>;
  readonly steps: readonly unknown[];
}

/** Checks and runs `spec` on a fresh machine; the audit after the test then looks at that machine. */
export function runSteps(spec: ScenarioSpec): ScenarioResult {
  const scenario = parseScenario({ version: 1, name: "hidden-test", ...spec });
  const result = runScenario(scenario);
  adoptScenarioMachine();
  return result;
}
