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
import { ExpectOutcome, ScenarioResult, StepContext, describe, runScenario } from "./run";
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
  /** The step's place in the file, a key: `steps[3].steps[1]`, or "start". */
  readonly path: string;
  /** Its number and round as every message names it (steps.ts): "4.2" and 3; "" and null at the start. */
  readonly number: string;
  readonly round: number | null;
  readonly text: string;
  /** For an `expect` step, what it compared and whether it held. */
  readonly expected: ExpectOutcome | null;
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
    number: ctx.number,
    round: ctx.round,
    text: ctx.path === "start" ? "machine booted" : describe(ctx.step),
    expected: ctx.expected,
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
  return groupRuns(
    mappings(pagetable).map((m) => {
      const pa = PTE2PA(m.pte);
      return { va: m.va, frame: pa / PGSIZE, flags: m.pte & 0x3ff, ref: krefcnt(pa) };
    }),
  );
}

/** One page's mapping: its address, frame, PTE flags and the frame's reference count. */
export type PageView = Omit<PteRun, "pages">;

/** Pages (by ascending address) grouped into runs: consecutive pages alike, on consecutive frames. */
export function groupRuns(pages: Iterable<PageView>): PteRun[] {
  const runs: { va: number; pages: number; flags: number; frame: number; ref: number }[] = [];
  for (const p of pages) {
    const cur = runs[runs.length - 1];
    const joins =
      cur !== undefined &&
      p.va === cur.va + cur.pages * PGSIZE &&
      p.flags === cur.flags &&
      p.ref === cur.ref &&
      p.frame === cur.frame + cur.pages;
    if (joins) cur.pages++;
    else runs.push({ ...p, pages: 1 });
  }
  return runs;
}
