// Recording one run for the comparison: the kernel's state right after each
// call of an edit point returns, after each scenario step, and at the end.
// The edit points are wrapped on their modules' exports, which is where the
// kernel and the hidden suites call them through (support/suite.ts swaps
// them the same way), so the run itself is unchanged: a snapshot reads,
// and never writes, the machine.

import type { StepContext } from "../../solution/src/scenario/run";
import { differenceAtIndex } from "./compare";
import type { Checkpoint, Difference, ProcRef, StepRef, Where } from "./difference";
import type { LabKernel } from "./lab-kernel";
import { SnapshotOptions, kernelState } from "./snapshot";

/** Checkpoints kept from one run at most: a run past them is compared as far as they go. */
export const MAX_CHECKPOINTS = 2000;
/** Pages read over one run's checkpoints at most: a kernel that maps more is not compared (it would take too long). */
export const MAX_PAGES_READ = 200_000;

type EditFn = (...args: unknown[]) => unknown;

/** Thrown when a run cannot be compared at all (an edit point is missing). */
export class NotComparable extends Error {}

/** Thrown out of the run being compared as it goes, once its first difference is found: the rest need not run. */
export class Found extends Error {}

export class Recorder {
  readonly #lab: LabKernel;
  /** The run this one is compared with as it goes (the submission's), or null. */
  readonly #against: readonly Checkpoint[] | null;
  readonly checkpoints: Checkpoint[] = [];
  /** The first difference from `against`, once found. */
  found: Difference | null = null;
  /** Call checkpoints waiting for the step they happened in (set when that step ends). */
  #open: { where: Extract<Where, { kind: "call" }>; index: number }[] = [];
  readonly #names = new Map<number, string>();
  /** Page table -> its process, as last seen: uvmfree() is given one its process already let go. */
  readonly #owners = new Map<number, ProcRef>();
  /** The child page table of the last uvmcopy() call, when no process owned it. */
  #childTable: number | null = null;
  /** Pages read so far, over every checkpoint. */
  #pagesRead = 0;
  /** Set when the run cannot be compared, with why. */
  broken: string | null = null;

  /**
   * Records a run of `lab`'s kernel; with `against` (the submission's run,
   * recorded), compares each checkpoint as it is taken and stops the run
   * (throws Found) at the first difference.
   */
  constructor(lab: LabKernel, against: readonly Checkpoint[] | null = null) {
    this.#lab = lab;
    this.#against = against;
  }

  /** The scenario's names of processes, by pid, as far as the run got. */
  get names(): ReadonlyMap<number, string> {
    return this.#names;
  }

  /** `fn` as the kernel calls it, recording the state after each call. */
  wrap(name: string, fn: EditFn): EditFn {
    return (...args: unknown[]) => {
      // the first call's changes are seen against the state before it (uvmfree's table still its process's)
      if (this.checkpoints.length === 0) this.#start(name, args);
      let result: unknown;
      try {
        result = fn(...args);
      } catch (e) {
        this.broken ??= `${name}() threw`;
        throw e;
      }
      this.#call(name, args, result);
      return result;
    };
  }

  /** The scenario runner's step hook: names the processes, closes the step's calls, records the state. */
  readonly onStep = (ctx: StepContext): void => {
    for (const [name, p] of ctx.processes) this.#names.set(p.pid, name);
    if (ctx.path === "start") return;
    const step: StepRef = {
      path: ctx.path,
      number: ctx.number,
      round: ctx.round,
      text: this.#lab.describeStep(ctx.step),
    };
    for (const o of this.#open) {
      const c = this.checkpoints[o.index]!;
      this.checkpoints[o.index] = { ...c, where: { ...o.where, step } };
    }
    this.#open = [];
    if (this.#take({ kind: "step", step })) this.#compare(true);
  };

  /** Records the state at the end of the run (the run is over: nothing to stop). */
  end(): void {
    if (this.#take({ kind: "end" })) this.#compare(false);
  }

  #call(name: string, args: readonly unknown[], result: unknown): void {
    const table = typeof args[0] === "number" ? args[0] : null;
    const va = name === "cowfault" && typeof args[1] === "number" ? this.#lab.riscv.PGROUNDDOWN(args[1]) : null;
    const child = name === "uvmcopy" && typeof args[1] === "number" ? args[1] : null;
    if (child !== null && !this.#lab.kernel.allprocs().some((p) => p.pagetable === child)) this.#childTable = child;
    const text = typeof result === "number" || typeof result === "string" ? String(result) : "";
    const where = { kind: "call" as const, fn: name, process: this.#ownerOf(table), va, result: text, step: null };
    if (!this.#take(where, { gone: name === "uvmfree" ? table : null })) return;
    this.#open.push({ where, index: this.checkpoints.length - 1 });
    this.#compare(true);
  }

  // Compares the checkpoint just taken with `against`'s; at a difference, keeps it and (`stop`) ends the run.
  #compare(stop: boolean): void {
    if (this.#against === null) return;
    this.found = differenceAtIndex(this.#against, this.checkpoints, this.checkpoints.length - 1);
    if (this.found !== null && stop) throw new Found();
  }

  #start(name: string, args: readonly unknown[]): void {
    const table = typeof args[0] === "number" ? args[0] : null;
    const owner = name === "uvmfree" ? this.#ownerOf(table) : null;
    const adopt = owner === null || table === null ? null : { pid: owner.pid, table };
    if (this.#take({ kind: "start" }, { adopt })) this.#compare(true);
  }

  /**
   * The process page table `table` belongs to: the one pointing at it, or
   * the one last seen with it, or (for uvmfree() at exit, which is given the
   * table its process already let go) the process being torn down, the only
   * one that has let go of its table and still holds an ASID.
   */
  #ownerOf(table: number | null): ProcRef | null {
    if (table === null) return null;
    const procs = this.#lab.kernel.allprocs();
    const owner =
      procs.find((p) => p.pagetable === table) ??
      procs.find((p) => p.pagetable === null && p.asid !== 0 && p.state !== "running");
    return owner !== undefined ? this.#ref(owner.pid) : (this.#owners.get(table) ?? null);
  }

  // Records the state at `where`; false once the run has too many checkpoints or is broken.
  #take(where: Where, options: SnapshotOptions = {}): boolean {
    if (this.broken !== null || this.found !== null || this.checkpoints.length >= MAX_CHECKPOINTS) return false;
    try {
      const state = kernelState(this.#lab, this.#names, { ...options, childTable: this.#childTable });
      this.#pagesRead += state.processes.reduce((n, p) => n + p.pages.length, 0);
      if (this.#pagesRead > MAX_PAGES_READ) {
        this.broken = `more than ${MAX_PAGES_READ} pages to read`;
        return false;
      }
      for (const p of this.#lab.kernel.allprocs())
        if (p.pagetable !== null && p.pagetable !== options.gone) this.#owners.set(p.pagetable, this.#ref(p.pid));
      this.checkpoints.push({ where, state });
      return true;
    } catch (e) {
      this.broken = `the kernel's state could not be read: ${(e as Error).message}`;
      return false;
    }
  }

  #ref(pid: number): ProcRef {
    return { pid, name: this.#names.get(pid) ?? null };
  }
}
