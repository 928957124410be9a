// The kernel's state as the lab sees it, read from outside at one point of
// a run: every process's pages (flags, reference count, who else maps the
// frame, a hash of its bytes), the TLB entries that no longer agree with
// their page table, and the frames no one uses. It reads through the
// machine's observer view: looking costs no cycles and changes nothing.
//
// It runs where the kernel runs: in the grading worker, "@lab/..." is the
// kit's compiled code (grader/_modules.ts), under Jest the solution's.

import { PGSIZE, PTE2PA, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "@lab/hw/riscv";
import {
  allprocs,
  hart,
  kallocated,
  kfreecount,
  kispagetable,
  krefcnt,
  mappings,
  peekPte,
  tablePages,
} from "@lab/kernel/index";
import { CHILD_TABLE } from "./difference";
import type { KernelState, LeakedFrame, PageRef, PageState, ProcRef, ProcessState, StaleEntry } from "./difference";

/** The PTE bits compared: A and D follow the accesses, not the kernel. */
export const COMPARED = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW;

/** What the snapshot reads of a process: who it is and its page table (null once torn down). */
interface Owner {
  readonly ref: ProcRef;
  readonly pagetable: number | null;
  readonly state: string;
  readonly asid: number;
}

/**
 * The kernel's state now. `names` gives a scenario's names of processes by
 * pid; `gone` is a page table just torn down (uvmfree's argument): a
 * process still pointing at it counts as torn down, since its frames may
 * already hold junk. `childTable`, a page table uvmcopy() was given that no
 * process owns, is read as one more (CHILD_TABLE) while it is one.
 */
export function kernelState(
  names: ReadonlyMap<number, string>,
  gone: number | null,
  childTable: number | null = null,
): KernelState {
  const procs: Owner[] = allprocs().map((p) => ({
    ref: { pid: p.pid, name: names.get(p.pid) ?? null },
    pagetable: p.pagetable === gone ? null : p.pagetable,
    state: p.state === "killed" ? `killed by ${p.killedBy ?? "a signal"}` : p.state,
    asid: p.asid,
  }));
  if (
    childTable !== null &&
    childTable !== gone &&
    isTable(childTable) &&
    !procs.some((p) => p.pagetable === childTable)
  )
    procs.unshift({ ref: CHILD_TABLE, pagetable: childTable, state: "running", asid: 0 });
  const live = procs.filter((p) => p.pagetable !== null);
  const found = live.map((p) => ({ p, maps: mappings(p.pagetable!).filter((m) => m.level === 0) }));
  const mappers = new Map<number, PageRef[]>(); // frame pa -> the pages mapping it
  for (const { p, maps } of found)
    for (const m of maps) {
      const pa = PTE2PA(m.pte);
      mappers.set(pa, [...(mappers.get(pa) ?? []), { process: p.ref, va: m.va }]);
    }
  const hashes = new Map<number, number>();
  const processes: ProcessState[] = procs.map((p) => {
    const mine = found.find((f) => f.p === p);
    const pages: PageState[] = (mine?.maps ?? []).map((m) => {
      const pa = PTE2PA(m.pte);
      if (!hashes.has(pa)) hashes.set(pa, frameHash(pa));
      return {
        va: m.va,
        flags: m.pte & COMPARED,
        ref: krefcnt(pa),
        pa,
        mappers: mappers.get(pa)!,
        contents: hashes.get(pa)!,
      };
    });
    return {
      process: p.ref,
      state: p.state,
      pages,
      tables: mine === undefined ? 0 : tablePages(p.pagetable!).length,
      stale: mine === undefined ? [] : staleEntries(p),
    };
  });
  return { processes, leaked: leakedFrames(live, mappers), freeFrames: kfreecount() };
}

/** The TLB entries of `p`'s ASID that its page table no longer agrees with (frame or flags). */
function staleEntries(p: Owner): StaleEntry[] {
  if (p.asid === 0) return [];
  const out: StaleEntry[] = [];
  for (const e of hart().tlbEntries()) {
    if (e.asid !== p.asid || e.level !== 0) continue;
    const va = e.vpn * PGSIZE;
    const pte = peekPte(p.pagetable!, va);
    const current = pte & PTE_V ? pte & COMPARED : null;
    if (current === null || current !== (e.pte & COMPARED) || PTE2PA(pte) !== PTE2PA(e.pte))
      out.push({ va, cached: e.pte & COMPARED, current });
  }
  return out.sort((a, b) => a.va - b.va);
}

/** The allocated frames that no live page table maps or is made of. */
function leakedFrames(live: readonly Owner[], mapped: ReadonlyMap<number, unknown>): LeakedFrame[] {
  const tables = new Set(live.flatMap((p) => tablePages(p.pagetable!)));
  return kallocated()
    .filter((pa) => !mapped.has(pa) && !tables.has(pa))
    .map((pa) => ({ pa, pageTable: kispagetable(pa) }));
}

/** Whether `pa` is an allocated page-table page (a table freed since is not read: it holds junk). */
function isTable(pa: number): boolean {
  return hart().peekMemory.contains(pa) && krefcnt(pa) > 0 && kispagetable(pa);
}

/** A 32-bit FNV-1a hash of the frame at `pa`, a word at a time. */
function frameHash(pa: number): number {
  const bytes = hart().peekPhysical(pa, PGSIZE);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, PGSIZE / 4);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 16777619);
  return h >>> 0;
}
