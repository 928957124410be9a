// The frame of every hidden suite: which part of the submission it grades,
// and the kernel audit after every test.
//
// A suite grades one edit point and runs the other two from the reference
// (support/reference.ts), by swapping the exported function on its module
// for the test's duration: the kernel calls its edit points through their
// modules' exports, so the swap reaches every caller. Plain assignment, not
// jest.mock, so that any runner that provides describe/test/expect and the
// hooks can run the suites.

import * as cowModule from "@lab/kernel/cow";
import { audit, hart } from "@lab/kernel/index";
import * as uvmcopyModule from "@lab/kernel/uvmcopy";
import * as uvmfreeModule from "@lab/kernel/uvmfree";
import { adoptMachine, booted, forgetMachine } from "./kernel";
import * as reference from "./reference";

export type Part = "A" | "B" | "C";

interface EditPoint {
  readonly module: object;
  readonly name: "uvmcopy" | "cowfault" | "uvmfree";
  readonly file: string;
}

const EDIT_POINTS: Readonly<Record<Part, EditPoint>> = {
  A: { module: uvmcopyModule, name: "uvmcopy", file: "src/kernel/uvmcopy.ts" },
  B: { module: cowModule, name: "cowfault", file: "src/kernel/cow.ts" },
  C: { module: uvmfreeModule, name: "uvmfree", file: "src/kernel/uvmfree.ts" },
};

/**
 * Declares that the tests of this file grade `part`: before each test the
 * other parts' functions become the reference's; after each test they are
 * put back, and the kernel audit (leaks, reference counts, writable shared
 * frames) must find nothing, so a test fails where a leak happens.
 */
export function gradesPart(part: Part): void {
  const saved: { point: EditPoint; original: unknown }[] = [];
  beforeEach(() => {
    for (const [p, point] of Object.entries(EDIT_POINTS)) {
      if (p === part) continue;
      const exports = point.module as Record<string, unknown>;
      saved.push({ point, original: exports[point.name] });
      exports[point.name] = reference[point.name];
      if (exports[point.name] !== reference[point.name]) {
        throw new Error(`Cannot run the part ${part} tests: ${point.file} does not let its ${point.name} be replaced`);
      }
    }
  });
  afterEach(() => {
    for (const { point, original } of saved.splice(0)) {
      (point.module as Record<string, unknown>)[point.name] = original;
    }
    if (!booted()) return;
    forgetMachine();
    const problems = audit();
    if (problems.length > 0) {
      throw new Error(
        `The kernel audit after this test found ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
          problems.map((p) => `  - ${p}`).join("\n"),
      );
    }
  });
}

/** After the scenario runner booted its own machine: audit that one after the test. */
export function adoptScenarioMachine(): void {
  adoptMachine(hart());
}
