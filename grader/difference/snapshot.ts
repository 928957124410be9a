// The kernel's state as the lab sees it, read from outside at one point of
// a run: every process's pages (flags, reference count, who else maps the
// frame, a hash of its bytes), the TLB entries that no longer agree with
// their page table, and the frames no one uses. It reads through the
// machine's observer view: looking costs no cycles and changes nothing.
// The kernel is handed in (lab-kernel.ts): the one the run drives.

import { CHILD_TABLE } from "./difference";
import type {
  KernelState,
  LeakedFrame,
  PageRef,
  PageState,
  ProcRef,
  ProcessState,
  StaleEntry,
  TablePage,
} from "./difference";
import type { LabKernel } from "./lab-kernel";

/** The PTE bits compared: A and D follow the accesses, not the kernel. */
export function comparedBits(lab: LabKernel): number {
  const { PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_COW } = lab.riscv;
  return PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW;
}

/** What the snapshot reads of a process: who it is and its page table (null once torn down). */
interface Owner {
  readonly ref: ProcRef;
  readonly pagetable: number | null;
  readonly state: string;
  readonly asid: number;
}

/** Page tables the snapshot reads otherwise than the process table says. */
export interface SnapshotOptions {
  /** A page table just torn down (uvmfree's argument): a process still pointing at it counts as torn down (its frames may hold junk). */
  readonly gone?: number | null;
  /** A page table uvmcopy() was given that no process owns: read as one more (CHILD_TABLE) while it is one. */
  readonly childTable?: number | null;
  /** A process that already let go of its page table but has not torn it down yet (exit, before uvmfree). */
  readonly adopt?: { readonly pid: number; readonly table: number } | null;
}

/** `lab`'s kernel state now; `names` gives a scenario's names of processes by pid. */
export function kernelState(
  lab: LabKernel,
  names: ReadonlyMap<number, string>,
  options: SnapshotOptions = {},
): KernelState {
  return new StateReader(lab).read(names, options);
}

class StateReader {
  readonly #lab: LabKernel;
  readonly #compared: number;

  constructor(lab: LabKernel) {
    this.#lab = lab;
    this.#compared = comparedBits(lab);
  }

  read(names: ReadonlyMap<number, string>, options: SnapshotOptions): KernelState {
    const { gone = null, childTable = null, adopt = null } = options;
    const { allprocs, mappings, krefcnt, kfreecount } = this.#lab.kernel;
    const { PTE2PA } = this.#lab.riscv;
    const procs: Owner[] = allprocs().map((p) => ({
      ref: { pid: p.pid, name: names.get(p.pid) ?? null },
      pagetable: p.pid === adopt?.pid && p.pagetable === null ? adopt.table : p.pagetable === gone ? null : p.pagetable,
      state: p.state === "killed" ? `killed by ${p.killedBy ?? "a signal"}` : p.state,
      asid: p.asid,
    }));
    if (
      childTable !== null &&
      childTable !== gone &&
      this.#isTable(childTable) &&
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
        if (!hashes.has(pa)) hashes.set(pa, this.#frameHash(pa));
        return {
          va: m.va,
          flags: m.pte & this.#compared,
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
        tables: mine === undefined ? [] : this.#tablesOf(p.pagetable!),
        stale: mine === undefined ? [] : this.#staleEntries(p),
      };
    });
    return { processes, leaked: this.#leakedFrames(live, mappers), freeFrames: kfreecount() };
  }

  /** The page-table pages of the address space rooted at `root`, root first, each with the range it maps. */
  #tablesOf(root: number): TablePage[] {
    const { NPTE, PTESIZE, PTE_V, PTE_R, PTE_W, PTE_X, PTE2PA } = this.#lab.riscv;
    const mem = this.#lab.kernel.hart().peekMemory;
    const out: TablePage[] = [{ pa: root, va: null }];
    for (let i = 0; i < NPTE; i++) {
      const pde = mem.read32(root + i * PTESIZE);
      if (pde & PTE_V && !(pde & (PTE_R | PTE_W | PTE_X))) out.push({ pa: PTE2PA(pde), va: i * 2 ** 22 });
    }
    return out;
  }

  /** The TLB entries of `p`'s ASID that its page table no longer agrees with (frame or flags). */
  #staleEntries(p: Owner): StaleEntry[] {
    if (p.asid === 0) return [];
    const { PGSIZE, PTE_V, PTE2PA } = this.#lab.riscv;
    const COMPARED = this.#compared;
    const out: StaleEntry[] = [];
    for (const e of this.#lab.kernel.hart().tlbEntries()) {
      if (e.asid !== p.asid || e.level !== 0) continue;
      const va = e.vpn * PGSIZE;
      const pte = this.#lab.kernel.peekPte(p.pagetable!, va);
      const current = pte & PTE_V ? pte & COMPARED : null;
      if (current === null || current !== (e.pte & COMPARED) || PTE2PA(pte) !== PTE2PA(e.pte))
        out.push({ va, cached: e.pte & COMPARED, current });
    }
    return out.sort((a, b) => a.va - b.va);
  }

  /** The allocated frames that no live page table maps or is made of. */
  #leakedFrames(live: readonly Owner[], mapped: ReadonlyMap<number, unknown>): LeakedFrame[] {
    const { kallocated, kispagetable } = this.#lab.kernel;
    const tables = new Set(live.flatMap((p) => this.#tablesOf(p.pagetable!).map((t) => t.pa)));
    return kallocated()
      .filter((pa) => !mapped.has(pa) && !tables.has(pa))
      .map((pa) => ({ pa, pageTable: kispagetable(pa) }));
  }

  /** Whether `pa` is an allocated page-table page (a table freed since is not read: it holds junk). */
  #isTable(pa: number): boolean {
    const { hart, krefcnt, kispagetable } = this.#lab.kernel;
    return hart().peekMemory.contains(pa) && krefcnt(pa) > 0 && kispagetable(pa);
  }

  /** A 32-bit FNV-1a hash of the frame at `pa`, a word at a time. */
  #frameHash(pa: number): number {
    const { PGSIZE } = this.#lab.riscv;
    const bytes = this.#lab.kernel.hart().peekPhysical(pa, PGSIZE);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, PGSIZE / 4);
    let h = 0x811c9dc5;
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 16777619);
    return h >>> 0;
  }
}
