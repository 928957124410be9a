// The seed experiments as data: what each example scenario measures, run
// through the reference kernel. `oslab demo` prints these as text tables;
// the handout draws them as tables and charts, so both show one set of numbers.

import { Counters } from "../solution/src/hw/machine";
import { TimedRun, runExample, snapshotOf } from "./examples";
import { FORK_COST_SIZES, ForkCost, forkCost } from "./forkcost";

/** Seed 002's fork-cost experiment at every size the examples cover. */
export function forkCosts(): ForkCost[] {
  return FORK_COST_SIZES.map((mib) => forkCost(mib));
}

/** One row of seed 002's resident-pages experiment: a process's pages at one moment. */
export interface RssRow {
  readonly moment: string;
  readonly proc: string;
  readonly rss: number;
  readonly shared: number;
  readonly private: number;
}

// The moments (snapshot labels) of seed002-rss and whose pages each shows.
const RSS_MOMENTS: readonly (readonly [string, string])[] = [
  ["parent-before-fork", "P"],
  ["child-after-fork", "C"],
  ["child-after-fork", "P"],
  ["child-after-write", "C"],
  ["child-after-write", "P"],
  ["parent-after-child", "P"],
];

/** Seed 002's resident pages of a 50 MiB parent and its child (examples/scenarios/seed002-rss.json). */
export function rssExperiment(): { rows: RssRow[]; run: TimedRun } {
  const run = runExample("seed002-rss");
  const rows = RSS_MOMENTS.map(([moment, proc]) => {
    const p = snapshotOf(run.result, moment).processes[proc];
    if (p === undefined) throw new Error(`seed002-rss: snapshot "${moment}" has no process "${proc}"`);
    return { moment, proc, rss: p.rssPages, shared: p.sharedPages, private: p.privatePages };
  });
  return { rows, run };
}

/** The other seed experiments: which example, what it does, in a few words. */
export const OTHER_EXPERIMENTS: readonly { readonly name: string; readonly what: string }[] = [
  { name: "seed002-global-array", what: "4 MiB array in bss; the child changes 10 ints" },
  { name: "seed001-many-forks", what: "three forks before any write, then everyone writes" },
  { name: "seed003-fork-exec", what: "fork, the child execs, then the parent writes 1 MiB" },
  { name: "seed004-zero-fill", what: "sbrk 100 pages, touch 12" },
  { name: "seed002-linux-faults", what: "child writes k=100 of 12800 pages, exits; parent writes all" },
];

/** An experiment's run and its counters at the end. */
export interface ExperimentRun {
  readonly name: string;
  readonly what: string;
  readonly counters: Counters;
  readonly run: TimedRun;
}

/** Runs OTHER_EXPERIMENTS, in order. */
export function otherExperiments(): ExperimentRun[] {
  return OTHER_EXPERIMENTS.map(({ name, what }) => {
    const run = runExample(name);
    return { name, what, counters: run.result.counters, run };
  });
}

/** Whether a run held every expectation and left the kernel sound; the reasons when not. */
export function problemsOf(run: TimedRun): string[] {
  return [...run.result.failures, ...run.result.audit];
}
