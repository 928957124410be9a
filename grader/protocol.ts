// The messages between the grader (parent) and a worker process over IPC.
// The worker announces each unit before running it, so that when it hangs
// or dies the parent knows which test was running.

import type { Difference } from "./difference/difference";
import type { EngineCost } from "./model";

/** A threshold's scenario for the worker to run on the submission. */
export interface ScenarioJob {
  readonly id: string;
  /** The scenario file, absolute (in the kit). */
  readonly file: string;
  readonly figure: string;
  /**
   * The student files of the threshold's part: while it runs, the edit
   * points of every other student file are the reference's (when the
   * request names a reference), as in the hidden suites.
   */
  readonly own: readonly string[];
}

/**
 * A scenario result's figure as a threshold names it: a counter
 * ("framesCopied") or a process's figure ("C.minorFaults"); null when the
 * result has no such number.
 */
export function figureOf(
  r: { counters?: object; processes?: Readonly<Record<string, object | undefined>> },
  figure: string,
): number | null {
  const dot = figure.indexOf(".");
  const from = dot < 0 ? r.counters : r.processes?.[figure.slice(0, dot)];
  const v: unknown =
    from === undefined ? undefined : (from as Record<string, unknown>)[dot < 0 ? figure : figure.slice(dot + 1)];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Parent to worker: run the suites on this workspace's student files, except the units in `skip`. */
export interface RunRequest {
  readonly type: "run";
  /** The compiled kit: src/ (provided code), tests/ (hidden suites). */
  readonly kit: string;
  /** The student files, compiled: their JavaScript runs in the worker's sandbox, never as a file. */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  /** The sandbox's budgets for one unit (engine steps, heap bytes, stack bytes). */
  readonly engine: { readonly steps: number; readonly memoryBytes: number; readonly stackBytes: number };
  /** The student files' paths, as in the rubric ("src/kernel/cow.ts"). */
  readonly studentFiles: readonly string[];
  /** The functions students write, and their files. */
  readonly editPoints: readonly { readonly file: string; readonly function: string }[];
  /** The compiled module exporting the reference's edit points by name (the kit's), or null when the lab has none. */
  readonly reference: string | null;
  /** Suite files relative to <kit>/tests, in order. */
  readonly testFiles: readonly string[];
  readonly scenarios: readonly ScenarioJob[];
  /**
   * Each threshold's figure on the reference, by id (none on the reference's
   * own run): a threshold whose figure is worse, or whose scenario did not run
   * correctly, has its first difference from the reference found.
   */
  readonly referenceFigures?: Readonly<Record<string, number>>;
  /**
   * The tests each rubric test depends on, by id (none on the reference's own
   * run): a failed test has its first difference from the reference found
   * only when none of those failed (else it is scored "depends on", with no hint).
   */
  readonly testDependsOn?: Readonly<Record<string, readonly string[]>>;
  /** Units already finished (or given up on) in an earlier process. */
  readonly skip: readonly string[];
  readonly stepBudget: number;
  /** Time allowed for one test (async); a synchronous loop is the parent's to stop. */
  readonly testMs: number;
  /** Seeds Math.random, per test, so that tests that use it are repeatable. */
  readonly seed: number;
  /** What one unit may print that is kept, in characters. */
  readonly outputChars: number;
  /** What the whole submission may print that is kept, in characters. */
  readonly submissionOutputChars: number;
}

export type WorkerMessage =
  | { readonly type: "ready" }
  /** About to load a suite file (the student's modules load with it). */
  | { readonly type: "loading"; readonly file: string }
  /** A suite file failed to load: every one of its tests fails with this message. */
  | { readonly type: "suite-error"; readonly file: string; readonly message: string }
  /** A student file failed to load (before any unit ran): its part's units fail; the others use the reference's edit points. */
  | { readonly type: "not-loaded"; readonly file: string; readonly message: string }
  | { readonly type: "start"; readonly key: string }
  | {
      readonly type: "result";
      readonly key: string;
      readonly status: "passed" | "failed" | "skipped";
      readonly message: string;
      readonly logs: string;
      /** Engine steps the unit took (what the rubric's engineSteps budgets). */
      readonly steps?: number;
      /** Set when the unit ran out of one of the sandbox's budgets (the status is then "failed"). */
      readonly limit?: { readonly kind: "steps" | "memory" | "stack"; readonly limit: number };
      readonly scenario?: {
        readonly ok: boolean;
        readonly failures: string[];
        readonly audit: string[];
        readonly value: number | null;
      };
      /** Where the unit's run first differed from the reference's (grader/difference), when it could tell. */
      readonly difference?: Difference;
    }
  /** Every unit sent; `cost` is what the sandbox cost (for the benchmarks, never scored). */
  | { readonly type: "done"; readonly cost?: EngineCost };

/** The unit key of a threshold's scenario. */
export function scenarioKey(id: string): string {
  return `threshold:${id}`;
}

/** The unit key of a hidden test: its file and its titles, e.g. "fork.test.js › fork › A1 shares". */
export function testKey(file: string, titles: readonly string[]): string {
  return [file, ...titles].join(" › ");
}
