// Hand-made kernel states and differences for the module's tests: a parent
// P (pid 1) and its child C (pid 2) sharing pages, built page by page.

import { PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import type { Checkpoint, Difference, KernelState, PageRef, PageState, ProcRef, Where } from "./difference";

export const P: ProcRef = { pid: 1, name: "P" };
export const C: ProcRef = { pid: 2, name: "C" };
export const TEXT = 0x10000;
export const BSS = 0x15000;

export const RX = PTE_V | PTE_R | PTE_X | PTE_U;
export const RW = PTE_V | PTE_R | PTE_W | PTE_U;
export const COW = PTE_V | PTE_R | PTE_U | PTE_COW;

/** A frame at `pa` mapped by `mappers`, each with `flags`: their pages, keyed "pid:va". */
export interface Frame {
  readonly pa: number;
  readonly mappers: readonly PageRef[];
  readonly flags: number;
  /** Its reference count; default: one per mapper. */
  readonly ref?: number;
  readonly contents?: number;
}

/** The kernel state where `frames` are mapped (and `leaked` allocated but unused). */
export function state(frames: readonly Frame[], leaked: KernelState["leaked"] = []): KernelState {
  const pages = new Map<number, PageState[]>();
  for (const f of frames)
    for (const m of f.mappers) {
      const page: PageState = {
        va: m.va,
        flags: f.flags,
        ref: f.ref ?? f.mappers.length,
        pa: f.pa,
        mappers: f.mappers,
        contents: f.contents ?? 7,
      };
      pages.set(m.process.pid, [...(pages.get(m.process.pid) ?? []), page]);
    }
  const processes = [P, C]
    .filter((p) => pages.has(p.pid))
    .map((p) => ({
      process: p,
      state: "running",
      pages: pages.get(p.pid)!.sort((a, b) => a.va - b.va),
      tables: [
        { pa: 0x1000 * p.pid, va: null },
        { pa: 0x1000 * p.pid + 0x100000, va: 0 },
      ],
      stale: [],
    }));
  return { processes, leaked, freeFrames: 100 };
}

export const at = (fn: string, process: ProcRef, va: number | null = null, result = "0"): Where => ({
  kind: "call",
  fn,
  process,
  va,
  result,
  step: null,
});

export function checkpoint(where: Where, s: KernelState): Checkpoint {
  return { where, state: s };
}

/** One difference of each kind, as a worker would send it. */
export const ONE_OF_EACH: readonly Difference[] = [
  {
    kind: "returned",
    at: at("cowfault", C, BSS, "out-of-memory"),
    expected: "ok",
    actual: "out-of-memory",
    freeFrames: 1,
    referencePa: 0,
  },
  { kind: "process-state", at: { kind: "end" }, process: C, expected: "running", actual: "killed by SIGSEGV" },
  {
    kind: "refcount",
    at: at("uvmcopy", P),
    page: { process: P, va: TEXT },
    expected: 2,
    actual: 1,
    mappers: 2,
    leftBy: null,
  },
  { kind: "freed-while-mapped", at: at("uvmfree", C, null, ""), page: { process: P, va: TEXT }, expected: 1 },
  { kind: "mapping", at: at("uvmcopy", P, null, "-1"), page: { process: C, va: TEXT }, expected: null, actual: RX },
  { kind: "pte-flags", at: at("uvmcopy", P), page: { process: P, va: BSS }, expected: COW, actual: RW },
  { kind: "copied-instead-of-reused", at: at("cowfault", P, BSS, "ok"), page: { process: P, va: BSS }, flags: RW },
  { kind: "reused-instead-of-copied", at: at("cowfault", P, BSS, "ok"), page: { process: P, va: BSS }, flags: RW },
  {
    kind: "sharing",
    at: { kind: "step", step: { path: "steps[3].steps[1]", number: "4.2", round: 3, text: "fork P as C" } },
    page: { process: P, va: BSS },
    expected: [{ process: C, va: BSS }],
    actual: [],
  },
  { kind: "contents", at: { kind: "end" }, page: { process: C, va: BSS } },
  { kind: "stale-tlb", at: at("uvmcopy", P), page: { process: P, va: BSS }, cached: RW, current: COW },
  { kind: "page-tables", at: at("uvmcopy", P), process: C, expected: 2, actual: 3 },
  {
    kind: "frame-not-freed",
    at: at("uvmfree", C, null, ""),
    frames: 0,
    pageTables: 2,
    formerly: { process: C, role: "level-0 table", va: 0x7fc00000 },
  },
  { kind: "call", at: at("cowfault", C, BSS, "not-cow"), expected: { kind: "end" } },
];
