// Section 2: does the simulator fault where Linux does? The experiment of
// examples/scenarios/seed002-linux-faults.json (k = 100) and its k = 1000
// variant, on the simulator and, through bench/c/cow_faults.c, on the host:
// a 50 MiB region touched, fork, the child writes k pages and exits, then
// the parent writes every page.

import { loadScenario, parseScenario } from "../solution/src/scenario/parse";
import { ScenarioResult, runScenario } from "../solution/src/scenario/run";
import { Scenario } from "../solution/src/scenario/types";
import { Counters } from "../solution/src/hw/machine";
import { example } from "./_paths";
import { timeProcess } from "./_time";

const REGION = 50 * 1024 * 1024;
const PAGES = REGION / 4096;

/** Faults (and, on the simulator, copies and reuses) of one phase of the experiment. */
export interface Phase {
  pages: number; // pages written
  linux: number | null; // ru_minflt delta; null when the C side was skipped
  sim: number; // minorFaults delta
  simCopies: number;
  simReuses: number;
}

export interface FaultFigures {
  k: number;
  child: Phase;
  parent: Phase;
}

/**
 * The k-page variant of seed002-linux-faults.json as a scenario object,
 * with the same expectations: the child takes k faults and copies k frames;
 * the parent then faults once per page and reuses every frame.
 */
export function linuxFaultsScenario(k: number): Scenario {
  const json = {
    version: 1,
    name: `seed002-linux-faults-k${k}`,
    description: `seed002-linux-faults with a child that writes k = ${k} pages`,
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "malloc", proc: "P", bytes: REGION, label: "buf" },
      { op: "memset", proc: "P", addr: "buf", value: 88, bytes: REGION },
      { op: "fork", proc: "P", as: "C" },
      { op: "touch", proc: "C", addr: "buf", pages: k, access: "write" },
      { op: "expect", proc: "C", figure: "minorFaults", equals: k },
      { op: "expect", counter: "cowCopies", equals: k },
      { op: "exit", proc: "C" },
      { op: "wait", proc: "P", expectStatus: 0 },
      { op: "snapshot", label: "child-gone" },
      { op: "memset", proc: "P", addr: "buf", value: 90, bytes: REGION },
      { op: "expect", proc: "P", figure: "minorFaults", equals: 2 * PAGES },
      { op: "expect", counter: "cowReuses", equals: PAGES },
      { op: "expect", counter: "cowCopies", equals: k },
    ],
  };
  return parseScenario(json, json.name);
}

/** Runs the experiment for `k` on the simulator and, when `cProgram` is given, on the host. */
export function linuxFaults(k: number, cProgram: string | null): FaultFigures {
  const scenario = k === 100 ? loadScenario(example("seed002-linux-faults")) : linuxFaultsScenario(k);
  const at: { fork?: Counters } = {}; // the counters just after the fork
  const result = runScenario(scenario, {
    onStep: (ctx) => {
      if (ctx.step.op === "fork") at.fork = ctx.machine.counters();
    },
  });
  if (!result.ok || at.fork === undefined) {
    throw new Error(`Scenario "${scenario.name}" failed: ${result.failures.join("; ")}`);
  }
  const linux = cProgram === null ? null : hostFaults(cProgram, k);
  return simFigures(k, result, at.fork, linux);
}

function simFigures(
  k: number,
  r: ScenarioResult,
  forked: Counters,
  linux: { child: number; parent: number } | null,
): FaultFigures {
  const gone = r.snapshots["child-gone"];
  if (gone === undefined) throw new Error(`The scenario recorded no snapshot "child-gone"`);
  const end = r.counters;
  return {
    k,
    child: {
      pages: k,
      linux: linux?.child ?? null,
      sim: r.processes["C"]!.minorFaults, // 0 at fork, frozen at exit
      simCopies: gone.counters.cowCopies - forked.cowCopies,
      simReuses: gone.counters.cowReuses - forked.cowReuses,
    },
    parent: {
      pages: PAGES,
      linux: linux?.parent ?? null,
      sim: r.processes["P"]!.minorFaults - gone.processes["P"]!.minorFaults,
      simCopies: end.cowCopies - gone.counters.cowCopies,
      simReuses: end.cowReuses - gone.counters.cowReuses,
    },
  };
}

// The child's and the parent's ru_minflt deltas as cow_faults prints them:
//   child K BEFORE AFTER
//   parent PAGES BEFORE AFTER
function hostFaults(cProgram: string, k: number): { child: number; parent: number } {
  const out = timeProcess(cProgram, [String(k)]).stdout;
  const delta = (who: string): number => {
    const m = new RegExp(`^${who} (\\d+) (\\d+) (\\d+)$`, "m").exec(out);
    if (m === null) throw new Error(`cow_faults printed no "${who}" line:\n${out}`);
    return Number(m[3]) - Number(m[2]);
  };
  return { child: delta("child"), parent: delta("parent") };
}

/** The section's table rows (header first). */
export function faultRows(figures: readonly FaultFigures[]): string[][] {
  const rows = [
    ["k", "who", "pages written", "Linux minflt", "sim minorFaults", "sim cowCopies", "sim cowReuses", "agree"],
  ];
  for (const f of figures) {
    for (const [who, p] of [
      ["child", f.child],
      ["parent", f.parent],
    ] as const) {
      const agree = p.linux === null ? "-" : p.linux === p.sim ? "yes" : "NO";
      rows.push([
        String(f.k),
        who,
        String(p.pages),
        p.linux === null ? "skipped" : String(p.linux),
        String(p.sim),
        String(p.simCopies),
        String(p.simReuses),
        agree,
      ]);
    }
  }
  return rows;
}
