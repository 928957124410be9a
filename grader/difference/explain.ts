// Why an item failed, as data: its run again, recorded, first as the
// submission ran it and then with the reference's edit points in place of
// every one, and the first point where the two differ (compare.ts). It
// runs in the grading worker, after the item's own run (whose result it
// never changes); a run whose edit point throws, or whose state cannot be
// read, explains nothing, and the rubric's hint stays the item's hint.

import type { StepContext } from "../../solution/src/scenario/run";
import { firstDifference } from "./compare";
import { Checkpoint, Difference, MAX_PAGES, MAX_TEXT, ProcRef } from "./difference";
import type { LabKernel } from "./lab-kernel";
import { NotComparable, Recorder } from "./record";

export { NotComparable };

/** One edit point: the module object the kernel calls it through, and its name there. */
export interface EditPointSlot {
  readonly module: Record<string, unknown>;
  readonly name: string;
}

/** What an explanation runs with. */
export interface ExplainOptions {
  /** The kernel the runs drive (the kit's compiled code in the worker). */
  readonly lab: LabKernel;
  /** Every edit point of a student file. */
  readonly slots: readonly EditPointSlot[];
  /** The reference's edit points, by function name. */
  readonly reference: Readonly<Record<string, unknown>>;
}

/** Runs the item once more; `onStep` is for a scenario's runner (a test leaves it). */
export type Rerun = (onStep: (ctx: StepContext) => void) => unknown;

/**
 * Where the item's run on the submission first differs from the same run
 * with the reference's edit points; null when it cannot tell.
 */
export async function explainRun(rerun: Rerun, options: ExplainOptions): Promise<Difference | null> {
  const mine = await record(rerun, options, null);
  if (mine === null) return null;
  // the reference's run is compared as it goes, and stops at the first difference
  const theirs = await record(rerun, options, { reference: options.reference, against: mine.checkpoints });
  if (theirs === null) return null;
  const d = theirs.found ?? firstDifference(mine.checkpoints, theirs.checkpoints);
  return d === null ? null : bounded(named(d, mine.names));
}

/** `d` within what the parent accepts: texts (what the student's function returned, say) and lists cut. */
function bounded<T>(d: T): T {
  if (typeof d === "string") return d.slice(0, MAX_TEXT) as T;
  if (Array.isArray(d)) return d.slice(0, MAX_PAGES).map(bounded) as T;
  if (typeof d !== "object" || d === null) return d;
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, bounded(v)])) as T;
}

/**
 * The run recorded with each slot wrapped: the submission's functions, or
 * `other.reference`'s, compared with `other.against` as it goes. Null when it
 * cannot be compared.
 */
async function record(
  rerun: Rerun,
  { lab, slots }: ExplainOptions,
  other: { reference: Readonly<Record<string, unknown>>; against: readonly Checkpoint[] } | null,
): Promise<Recorder | null> {
  const reference = other?.reference ?? null;
  const recorder = new Recorder(lab, other?.against ?? null);
  const saved = slots.map((s) => s.module[s.name]);
  try {
    slots.forEach((s, i) => {
      const fn = reference === null ? saved[i] : reference[s.name];
      if (typeof fn !== "function") throw new NotComparable(`no function ${s.name} to run`);
      s.module[s.name] = recorder.wrap(s.name, fn as (...args: unknown[]) => unknown);
    });
    await rerun(recorder.onStep);
  } catch (e) {
    if (e instanceof NotComparable) return null;
    // the run's own failure (an expectation, a panic), or Found, ends it where it is: what was recorded stands
  } finally {
    slots.forEach((s, i) => (s.module[s.name] = saved[i]));
  }
  recorder.end();
  return recorder.broken === null ? recorder : null;
}

/** `d` with every process called by its scenario name, where it has one by the end of the run. */
function named<T>(d: T, names: ReadonlyMap<number, string>): T {
  if (Array.isArray(d)) return d.map((x) => named(x, names)) as T;
  if (typeof d !== "object" || d === null) return d;
  const o = d as Record<string, unknown>;
  if (typeof o.pid === "number" && "name" in o) return { ...o, name: names.get(o.pid) ?? o.name } as ProcRef as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, named(v, names)])) as T;
}
