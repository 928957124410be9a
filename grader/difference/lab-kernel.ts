// The lab's kernel as the recording reads it, handed in rather than
// imported: in the grading worker it is the kit's compiled code (the very
// modules the student's functions are called from), under Jest the
// solution's. Only types are imported here, so these files compile and run
// anywhere: in dist/, in the kit's worker folder, and in the tests.

/* eslint-disable @typescript-eslint/no-require-imports */
import path from "node:path";
import type * as Riscv from "../../solution/src/hw/riscv";
import type * as Kernel from "../../solution/src/kernel/index";
import type * as ScenarioRun from "../../solution/src/scenario/run";

/** What the recording needs of the lab's code. */
export interface LabKernel {
  readonly kernel: Pick<
    typeof Kernel,
    "allprocs" | "hart" | "kallocated" | "kfreecount" | "kispagetable" | "krefcnt" | "mappings" | "peekPte"
  >;
  readonly riscv: typeof Riscv;
  /** One line naming a scenario step ("memset P bss"). */
  readonly describeStep: typeof ScenarioRun.describe;
}

/** The lab's kernel compiled under `src` (a kit's <cacheDir>/src): the modules its other code loads too. */
export function labKernelAt(src: string): LabKernel {
  return {
    kernel: require(path.join(src, "kernel", "index")) as typeof Kernel,
    riscv: require(path.join(src, "hw", "riscv")) as typeof Riscv,
    describeStep: (require(path.join(src, "scenario", "run")) as typeof ScenarioRun).describe,
  };
}
