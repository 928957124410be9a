// What a step changed, as data for the traces: the pages whose mapping or
// reference count moved in each process, the counters that moved, and the
// TLB (entries new since the step before, entries gone, and every entry
// that no longer agrees with its page table: a stale one).

import { COUNTER_NAMES, Counters } from "../hw/machine";
import { PGSIZE, PTE_R, PTE_U, PTE_W, PTE_X } from "../hw/riscv";
import { PageView, ProcessView, PteRun, StepView, TlbView, groupRuns } from "../scenario/timeline";

/** A process's pages that changed in a step: their runs before and after (empty when unmapped or new). */
export interface PageChanges {
  readonly process: ProcessView;
  /** The process was not in the step before (spawn, fork): every page is new. */
  readonly isNew: boolean;
  /** It stopped running in this step (exit, kill). */
  readonly ended: boolean;
  /** Its root page table moved (exec). */
  readonly newRoot: boolean;
  readonly pages: number;
  readonly was: readonly PteRun[];
  readonly now: readonly PteRun[];
}

/** A counter that moved in a step. */
export interface CounterChange {
  readonly name: keyof Counters;
  readonly before: number;
  readonly after: number;
}

/** A TLB entry, and why it no longer agrees with the page table (null when it does). */
export interface TlbEntryView extends TlbView {
  readonly stale: string | null;
}

/** The TLB after a step, against the step before. */
export interface TlbChanges {
  readonly entries: readonly TlbEntryView[];
  readonly added: readonly TlbEntryView[];
  /** Entries of the step before that are no longer there (fenced or evicted). */
  readonly gone: number;
  readonly stale: readonly TlbEntryView[];
}

/** The processes whose pages changed in step `after` (`before` null for the first), in the order of `after`. */
export function pageChanges(before: StepView | null, after: StepView): PageChanges[] {
  const out: PageChanges[] = [];
  for (const p of after.processes) {
    const old = before?.processes.find((q) => q.pid === p.pid);
    const ended = old !== undefined && old.state === "running" && p.state !== "running";
    if (old !== undefined && old.state !== "running") continue;
    const was = old === undefined ? new Map() : pagesOf(old);
    const now = pagesOf(p);
    const changed = [...new Set([...was.keys(), ...now.keys()])]
      .filter((va) => !samePage(was.get(va), now.get(va)))
      .sort((a, b) => a - b);
    const newRoot = old !== undefined && p.root !== null && old.root !== p.root;
    if (changed.length === 0 && old !== undefined && !ended && !newRoot) continue;
    out.push({
      process: p,
      isNew: old === undefined,
      ended,
      newRoot,
      pages: changed.length,
      was: runsOfPages(changed, was),
      now: runsOfPages(changed, now),
    });
  }
  return out;
}

/** The counters whose value differs between the two steps, in COUNTER_NAMES's order (all non-zero ones at the first step). */
export function counterChanges(before: StepView | null, after: StepView): CounterChange[] {
  return COUNTER_NAMES.map((name) => ({
    name,
    before: before?.counters[name] ?? 0,
    after: after.counters[name],
  })).filter((c) => c.before !== c.after);
}

/** The TLB after step `after`: its entries with their staleness, what is new since `before`, and how many left. */
export function tlbChanges(before: StepView | null, after: StepView): TlbChanges {
  const key = (e: TlbView) => `${e.asid}:${e.va}:${e.frame}:${e.flags}`;
  const old = new Set((before?.tlb ?? []).map(key));
  const entries = after.tlb.map((e) => ({ ...e, stale: staleness(e, after.processes) }));
  const kept = new Set(entries.map(key));
  return {
    entries,
    added: entries.filter((e) => !old.has(key(e))),
    gone: [...old].filter((k) => !kept.has(k)).length,
    stale: entries.filter((e) => e.stale !== null),
  };
}

/**
 * Why a TLB entry disagrees with the page table of the process holding its
 * ASID, or null when it agrees. A stale entry is what a missing sfence.vma
 * leaves behind: the hardware keeps using it.
 */
export function staleness(e: TlbView, processes: readonly ProcessView[]): string | null {
  const p = processes.find((q) => q.state === "running" && q.asid === e.asid && q.asid !== 0);
  if (p === undefined) return `no running process holds ASID ${e.asid}`;
  const run = p.runs.find((r) => e.va >= r.va && e.va < r.va + r.pages * PGSIZE);
  if (run === undefined) return `${p.name}'s page table no longer maps this page`;
  const frame = run.frame + (e.va - run.va) / PGSIZE;
  if (frame !== e.frame) return `${p.name}'s page table now maps frame ${frame}`;
  const mask = PTE_R | PTE_W | PTE_X | PTE_U;
  if ((run.flags & mask) !== (e.flags & mask))
    return `${p.name}'s page table now says ${perms(run.flags)}, the TLB still says ${perms(e.flags)}`;
  return null;
}

function perms(flags: number): string {
  return `${flags & PTE_R ? "r" : "-"}${flags & PTE_W ? "w" : "-"}${flags & PTE_X ? "x" : "-"}`;
}

// Every page a process maps, by virtual address (none once it stopped running).
function pagesOf(p: ProcessView): Map<number, PageView> {
  const pages = new Map<number, PageView>();
  if (p.state !== "running") return pages;
  for (const r of p.runs) {
    for (let i = 0; i < r.pages; i++)
      pages.set(r.va + i * PGSIZE, { va: r.va + i * PGSIZE, frame: r.frame + i, flags: r.flags, ref: r.ref });
  }
  return pages;
}

function samePage(a: PageView | undefined, b: PageView | undefined): boolean {
  return a?.frame === b?.frame && a?.flags === b?.flags && a?.ref === b?.ref;
}

// The pages at `vas` (sorted) that `pages` maps, as runs of similar pages.
function runsOfPages(vas: readonly number[], pages: ReadonlyMap<number, PageView>): PteRun[] {
  return groupRuns(vas.flatMap((va) => pages.get(va) ?? []));
}
