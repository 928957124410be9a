// Seed 002's fork-cost experiment in simulated cycles: the example
// scenarios seed002-fork-cost-{1,10,50}mib snapshot the counters "before"
// any fork, after a fork whose child exits at once ("no-write") and after
// a fork whose child writes every page first ("write"); the costs are the
// differences between those snapshots.

import { TimedRun, runExample, snapshotOf } from "./examples";

/** The sizes, in MiB, that seed 002's table and the example scenarios cover. */
export const FORK_COST_SIZES: readonly number[] = [1, 10, 50];

export interface ForkCost {
  mib: number;
  /** Cycles of fork + exit + wait when the child writes nothing. */
  noWriteCycles: number;
  /** Cycles of fork + exit + wait when the child writes every page. */
  writeCycles: number;
  /** Frames copied by the writing child. */
  framesCopied: number;
  run: TimedRun;
}

/** Runs examples/scenarios/seed002-fork-cost-MIBmib.json and returns its costs. */
export function forkCost(mib: number): ForkCost {
  const run = runExample(`seed002-fork-cost-${mib}mib`);
  const before = snapshotOf(run.result, "before").counters;
  const noWrite = snapshotOf(run.result, "no-write").counters;
  const write = snapshotOf(run.result, "write").counters;
  return {
    mib,
    noWriteCycles: noWrite.cycles - before.cycles,
    writeCycles: write.cycles - noWrite.cycles,
    framesCopied: write.framesCopied - noWrite.framesCopied,
    run,
  };
}
