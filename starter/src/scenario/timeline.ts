// A scenario run seen step by step: after every step, each process's page
// table (as runs of similar pages), the frames' reference counts, the TLB
// and the kernel's events during the step. The trace command prints it;
// the trace viewer and the reports draw it.

import { Counters } from "../hw/machine";
import { PTE2PA, PGSIZE, SATP_ASID, SATP_PPN } from "../hw/riscv";
import {
  TraceEvent,
  allprocs,
  kallocated,
  kispagetable,
  krefcnt,
  mappings,
  tablePages,
  traceEvents,
} from "../kernel/index";
import { ScenarioResult, StepContext, describe, runScenario } from "./run";
import { Scenario } from "./types";

/**
 * Consecutive pages mapped alike: same flags and reference count, frames
 * numbered consecutively from `frame`. One page is a run of length 1.
 */
export interface PteRun {
  readonly va: number;
  readonly pages: number;
  readonly flags: number; // the PTE's low 10 bits
  readonly frame: number; // frame number of the first page
  readonly ref: number; // reference count of each of the frames
}

export interface ProcessView {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly killedBy: string | null;
  readonly asid: number;
  readonly root: number | null; // frame number of the root page table
  readonly runs: readonly PteRun[];
  /** Frame numbers of its page-table pages, root first (none once it has exited). */
  readonly tables?: readonly number[];
}

/** An allocated frame that no live process maps or holds as a page table: a leak. */
export interface LeakedFrame {
  readonly frame: number;
  readonly ref: number;
  /** Whether it was allocated as a page-table page. */
  readonly table: boolean;
}

export interface TlbView {
  readonly asid: number;
  readonly va: number;
  readonly frame: number;
  readonly flags: number;
}

export interface StepView {
  readonly path: string;
  readonly text: string;
  readonly events: readonly TraceEvent[];
  readonly processes: readonly ProcessView[];
  readonly tlb: readonly TlbView[];
  readonly satp: { readonly asid: number; readonly root: number } | null;
  readonly counters: Counters;
  /** Allocated frames no live process uses, lowest first. */
  readonly leaked?: readonly LeakedFrame[];
}

export interface Timeline {
  readonly steps: readonly StepView[];
  readonly result: ScenarioResult;
}

/** Runs `scenario` with the trace on and returns its view after every step. */
export function buildTimeline(scenario: Scenario): Timeline {
  const steps: StepView[] = [];
  let seen = 0;
  const result = runScenario(scenario, {
    trace: true,
    onStep: (ctx) => {
      const all = traceEvents();
      steps.push(viewOf(ctx, all.slice(seen)));
      seen = all.length;
    },
  });
  return { steps, result };
}

function viewOf(ctx: StepContext, events: readonly TraceEvent[]): StepView {
  const processes: ProcessView[] = [];
  for (const [name, p] of ctx.processes) {
    processes.push({
      name,
      pid: p.pid,
      state: p.state,
      killedBy: p.killedBy,
      asid: p.asid,
      root: p.pagetable === null ? null : p.pagetable / PGSIZE,
      runs: p.pagetable === null ? [] : runsOf(p.pagetable),
      tables: p.pagetable === null ? [] : tablePages(p.pagetable).map((pa) => pa / PGSIZE),
    });
  }
  const satp = ctx.machine.satp;
  return {
    path: ctx.path,
    text: ctx.path === "start" ? "machine booted" : describe(ctx.step),
    events: events.filter((e) => e.kind !== "step"),
    processes,
    tlb: ctx.machine.tlbEntries().map((e) => ({
      asid: e.asid,
      va: e.level === 0 ? e.vpn * PGSIZE : e.vpn * 2 ** 22,
      frame: e.pte >>> 10,
      flags: e.pte & 0x3ff,
    })),
    satp: satp >>> 31 ? { asid: SATP_ASID(satp), root: SATP_PPN(satp) } : null,
    counters: ctx.machine.counters(),
    leaked: leakedFrames(),
  };
}

/** The allocated frames that no process maps or holds as a page-table page (the audit's leak, as data). */
function leakedFrames(): LeakedFrame[] {
  const used = new Set<number>();
  for (const p of allprocs()) {
    if (p.pagetable === null) continue;
    for (const pa of tablePages(p.pagetable)) used.add(pa);
    for (const m of mappings(p.pagetable)) used.add(PTE2PA(m.pte));
  }
  return kallocated()
    .filter((pa) => !used.has(pa))
    .map((pa) => ({ frame: pa / PGSIZE, ref: krefcnt(pa), table: kispagetable(pa) }));
}

/** The mappings of `pagetable` grouped into runs of similar pages. */
export function runsOf(pagetable: number): PteRun[] {
  const runs: PteRun[] = [];
  let cur: { va: number; pages: number; flags: number; frame: number; ref: number } | null = null;
  for (const m of mappings(pagetable)) {
    const pa = PTE2PA(m.pte);
    const frame = pa / PGSIZE;
    const flags = m.pte & 0x3ff;
    const ref = krefcnt(pa);
    if (
      cur !== null &&
      m.va === cur.va + cur.pages * PGSIZE &&
      flags === cur.flags &&
      ref === cur.ref &&
      frame === cur.frame + cur.pages
    ) {
      cur.pages++;
      continue;
    }
    if (cur !== null) runs.push(cur);
    cur = { va: m.va, pages: 1, flags, frame, ref };
  }
  if (cur !== null) runs.push(cur);
  return runs;
}
