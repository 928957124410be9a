// The machine: one RISC-V hart with Sv32 paging, its TLB and physical
// memory, and the counters the grader judges. The hart runs user loads and
// stores; a fault traps to the handler the kernel installed in `stvec`,
// and the faulting access is retried when the handler returns "resume".
//
// The counters are the hardware's own observations, kept in private fields
// that no kernel code can reach: the kernel is told nothing it could use to
// change them. A COW fault is a store page fault on a present leaf PTE with
// the COW bit set; it counts as a copy when the store retried successfully
// on a different frame, or a frame was copied into meanwhile, and as a reuse
// when neither happened. How copies are counted is in copies.ts.

import { hex8 } from "./_format";
import { CopyTracker } from "./copies";
import { ACCESS_BYTES, COST } from "./cost";
import { MemoryObserver, PhysicalMemory } from "./memory";
import { Mmu } from "./mmu";
import {
  ASIDMAX,
  Access,
  PGSHIFT,
  PGSIZE,
  PTE2PA,
  PTE_COW,
  PTE_R,
  PTE_V,
  PTE_X,
  Priv,
  SCAUSE_INSTRUCTION_PAGE_FAULT,
  SCAUSE_LOAD_ACCESS_FAULT,
  SCAUSE_LOAD_PAGE_FAULT,
  SCAUSE_STORE_ACCESS_FAULT,
  SCAUSE_STORE_PAGE_FAULT,
} from "./riscv";
import { Tlb, TlbEntry } from "./tlb";
import { PageTableMemory, lookupLeaf } from "./translate";

/** A trap the hart delivers to the kernel: scause and stval, and the mode it came from. */
export interface Trap {
  readonly scause: number;
  readonly stval: number;
  readonly priv: Priv;
}

/**
 * What the kernel's trap handler decides: retry the access, kill the
 * process with a signal, or (for a supervisor access such as copyout)
 * give up on the access and return an error to the kernel code.
 */
export type TrapAction = "resume" | "SIGSEGV" | "SIGKILL" | "fail";

export type TrapHandler = (trap: Trap) => TrapAction;

/** Outcome of a user-level memory operation. */
export type AccessOutcome = "ok" | "killed" | "failed";

export interface MachineConfig {
  readonly frames: number;
  readonly tlbEntries: number;
  /** Machine steps allowed before the run is stopped (a runaway kernel loop). */
  readonly stepBudget?: number;
}

/** The machine-wide counters of SCENARIOS.md's "Figures". */
export interface Counters {
  pageFaults: number;
  cowFaults: number;
  cowCopies: number;
  cowReuses: number;
  demandZeroFaults: number;
  segfaults: number;
  oomKills: number;
  framesCopied: number;
  framesZeroed: number;
  framesAllocated: number;
  framesFreed: number;
  framesInUse: number;
  pageTableFrames: number;
  tlbFlushes: number;
  cycles: number;
}

export const COUNTER_NAMES: readonly (keyof Counters)[] = [
  "pageFaults",
  "cowFaults",
  "cowCopies",
  "cowReuses",
  "demandZeroFaults",
  "segfaults",
  "oomKills",
  "framesCopied",
  "framesZeroed",
  "framesAllocated",
  "framesFreed",
  "framesInUse",
  "pageTableFrames",
  "tlbFlushes",
  "cycles",
];

/** Thrown when the machine has run more steps than its budget allows. */
export class StepBudgetExceeded extends Error {
  constructor(budget: number) {
    super(
      `The machine ran out of its budget of ${budget} steps: some kernel code is looping ` +
        `(a loop over page-table entries that never ends, or a fault that is retried forever)`,
    );
    this.name = "StepBudgetExceeded";
  }
}

/** Thrown when the handler keeps saying "resume" but the access keeps faulting. */
export class TrapLoopError extends Error {
  constructor(trap: Trap, times: number, pte: number | null) {
    const what = accessKind(trap.scause);
    super(
      `usertrap: a ${what} at 0x${hex8(trap.stval)} faulted ${times} times in a row although the trap ` +
        `handler said it was fixed each time; the PTE is now ${pte === null ? "missing" : "0x" + hex8(pte)}. ` +
        `A handler that returns success must leave a PTE that allows the access, and fence the old translation with sfence.vma`,
    );
    this.name = "TrapLoopError";
  }
}

const RETRY_LIMIT = 4; // faults in a row on one access before the machine stops
const DEFAULT_STEP_BUDGET = 50_000_000;

export class Machine {
  readonly frames: number;
  #memory: PhysicalMemory;
  #mmu: Mmu;
  #satp = 0;
  #sstatus = 0;
  #stvec: TrapHandler | null = null;
  #steps = 0;
  #stepBudget: number;
  #c: Counters;
  #copies: CopyTracker;

  constructor(config: MachineConfig) {
    this.#c = Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as unknown as Counters;
    const counters = this.#c;
    const observer: MemoryObserver = {
      frameCopied() {
        counters.cycles += COST.frameCopy;
      },
      frameZeroed() {
        counters.framesZeroed++;
        counters.cycles += COST.frameZero;
      },
    };
    this.#memory = new PhysicalMemory(config.frames, observer);
    this.#mmu = new Mmu(this.#memory, new Tlb(config.tlbEntries));
    this.frames = config.frames;
    this.#copies = new CopyTracker(config.frames, () => counters.framesCopied++);
    this.#stepBudget = config.stepBudget ?? DEFAULT_STEP_BUDGET;
  }

  // --- CSRs -------------------------------------------------------------

  get satp(): number {
    return this.#satp;
  }

  /** csrw satp: no TLB flush (the spec leaves that to sfence.vma). */
  set satp(value: number) {
    this.#satp = value >>> 0;
  }

  get sstatus(): number {
    return this.#sstatus;
  }

  set sstatus(value: number) {
    this.#sstatus = value >>> 0;
  }

  /** Installs the kernel's trap handler. */
  set stvec(handler: TrapHandler) {
    this.#stvec = handler;
  }

  /** sfence.vma: null for an operand means x0 (every address / every ASID). */
  sfence_vma(va: number | null, asid: number | null): void {
    this.#c.tlbFlushes++;
    this.#c.cycles += COST.sfence;
    this.#mmu.tlb.flush(va, asid === null ? null : asid & ASIDMAX);
  }

  /** The TLB's entries now, oldest first (for the trace viewer). */
  tlbEntries(): TlbEntry[] {
    return this.#mmu.tlb.entries();
  }

  // --- the kernel's view of physical memory -------------------------------

  /** A kernel load of the page-table word at `pa`. */
  read32(pa: number): number {
    this.#step();
    this.#c.cycles += COST.kernelMem;
    const value = this.#memory.read32(pa);
    this.#copies.wordRead(pa >>> PGSHIFT, value);
    return value;
  }

  /** A kernel store of the page-table word at `pa`. */
  write32(pa: number, value: number): void {
    this.#step();
    this.#c.cycles += COST.kernelMem;
    this.#memory.write32(pa, value);
    this.#copies.wordWritten(pa >>> PGSHIFT, value >>> 0);
  }

  /** Copies the frame at `srcPa` over the frame at `dstPa` (counted in framesCopied). */
  copyFrame(dstPa: number, srcPa: number): void {
    this.#step();
    this.#memory.copyFrame(dstPa, srcPa);
    this.#copies.copied(dstPa >>> PGSHIFT, srcPa >>> PGSHIFT);
  }

  /**
   * Copies `length` bytes from `srcPa` to `dstPa`, each span within one
   * frame; counted in framesCopied once per allocation of the destination.
   */
  copyPhysical(dstPa: number, srcPa: number, length: number): void {
    this.#step();
    this.#c.cycles += Math.ceil(length / ACCESS_BYTES) * COST.access;
    this.#memory.write(dstPa, this.#memory.read(srcPa, length));
    if (length > 0) this.#copies.copied(dstPa >>> PGSHIFT, srcPa >>> PGSHIFT);
  }

  /** Zeroes the frame at `pa` (counted in framesZeroed). */
  zeroFrame(pa: number): void {
    this.#step();
    this.#memory.zeroFrame(pa);
    this.#copies.renewed(pa >>> PGSHIFT);
  }

  /** Fills a freed frame with junk, so that a use after free reads garbage. */
  junkFrame(pa: number): void {
    this.#step();
    this.#memory.junkFrame(pa);
    this.#copies.renewed(pa >>> PGSHIFT);
  }

  /** Stores bytes into physical memory from a kernel buffer (loading an image). */
  writePhysical(pa: number, bytes: Uint8Array): void {
    this.#step();
    this.#c.cycles += Math.ceil(bytes.length / ACCESS_BYTES) * COST.access;
    this.#memory.write(pa, bytes);
  }

  /** Reads bytes of physical memory without cost or side effect (for tools). */
  peekPhysical(pa: number, length: number): Uint8Array {
    return this.#memory.read(pa, length);
  }

  /** Reads a word of physical memory without cost or side effect (for tools). */
  peek32(pa: number): number {
    return this.#memory.read32(pa);
  }

  /** Physical memory as an observer sees it: no cost, no side effect (for tools). */
  get peekMemory(): PageTableMemory {
    const memory = this.#memory;
    return { read32: (pa) => memory.read32(pa), contains: (pa) => memory.contains(pa) };
  }

  /** Frames that cost host memory now. */
  get backedFrames(): number {
    return this.#memory.backedFrames;
  }

  // --- what the allocator reports, for the counters -----------------------

  /** The kernel's allocator handed out the frame at `pa` (a page table's when `pageTable`). */
  noteAllocated(pageTable: boolean, pa: number): void {
    this.#c.framesAllocated++;
    if (pageTable) this.#c.pageTableFrames++;
    this.#copies.holdsPageTable(pa >>> PGSHIFT, pageTable);
  }

  /** The kernel's allocator returned the frame at `pa` to the free pool. */
  noteFreed(pageTable: boolean, pa: number): void {
    this.#c.framesFreed++;
    if (pageTable) this.#c.pageTableFrames--;
    this.#copies.holdsPageTable(pa >>> PGSHIFT, false);
  }

  /** An environment call (a syscall) entered the kernel and returned. */
  ecall(): void {
    this.#step();
    this.#c.cycles += COST.trap;
  }

  /** A copy of every counter now. */
  counters(): Counters {
    const c = { ...this.#c };
    c.framesInUse = c.framesAllocated - c.framesFreed;
    return c;
  }

  // --- the hart running a program ----------------------------------------

  /** Loads `length` bytes at `va` in mode `priv`; "killed" or "failed" when the access did not complete. */
  load(va: number, length: number, priv: Priv = "U", access: Access = "read"): Uint8Array | AccessOutcome {
    const out = new Uint8Array(length);
    const r = this.#each(va, length, access, priv, (pa, done, n) => out.set(this.#memory.read(pa, n), done));
    return r === "ok" ? out : r;
  }

  /** Stores `bytes` at `va` in mode `priv`. */
  store(va: number, bytes: Uint8Array, priv: Priv = "U"): AccessOutcome {
    return this.#each(va, bytes.length, "write", priv, (pa, done, n) =>
      this.#memory.write(pa, bytes.subarray(done, done + n)),
    );
  }

  /** Stores `value` into `length` bytes at `va` in mode `priv` (memset). */
  fill(va: number, value: number, length: number, priv: Priv = "U"): AccessOutcome {
    return this.#each(va, length, "write", priv, (pa, _done, n) => this.#memory.fill(pa, value, n));
  }

  // Runs `op` on each page-sized piece of [va, va+length), translating
  // each piece (and taking its faults) before touching it.
  #each(
    va: number,
    length: number,
    access: Access,
    priv: Priv,
    op: (pa: number, done: number, n: number) => void,
  ): AccessOutcome {
    if (!(va >= 0 && va + length <= 2 ** 32)) {
      throw new RangeError(`Access of ${length} bytes at ${va} leaves the 32-bit address space`);
    }
    let done = 0;
    while (done < length) {
      const cur = va + done;
      const n = Math.min(length - done, PGSIZE - (cur % PGSIZE));
      const pa = this.#resolve(cur, access, priv);
      if (pa < 0) return pa === -1 ? "killed" : "failed";
      op(pa, done, n);
      this.#c.cycles += Math.ceil(n / ACCESS_BYTES) * COST.access;
      done += n;
    }
    return "ok";
  }

  // Translates one access, trapping to the kernel and retrying while it
  // faults. Returns the physical address, -1 (killed) or -2 (failed).
  //
  // A COW fault counts as a copy when the retry lands on a different frame
  // than the faulting PTE mapped, or a frame was copied into between the
  // fault and the successful retry, and as a reuse when neither happened
  // (SCENARIOS.md, "Figures"); a demand-zero fault when an absent page
  // became present and a frame was zeroed meanwhile. Both are judged at the
  // successful retry, from the first fault of the access.
  #resolve(va: number, access: Access, priv: Priv): number {
    let cow = false;
    let cowFrame = 0;
    let absent = false;
    let copiedBefore = 0;
    let zeroedBefore = 0;
    for (let faults = 0; ; faults++) {
      this.#step();
      const pa = this.#mmu.translate(this.#satp, va, access, priv, this.#sstatus);
      this.#c.cycles += this.#mmu.walkReads * COST.walk;
      if (pa >= 0) {
        if (cow) {
          const moved = pa >>> PGSHIFT !== cowFrame;
          if (moved || this.#c.framesCopied > copiedBefore) this.#c.cowCopies++;
          else this.#c.cowReuses++;
        }
        if (absent && this.#c.framesZeroed > zeroedBefore) this.#c.demandZeroFaults++;
        return pa;
      }
      const f = this.#mmu.fault!;
      const trap: Trap = { scause: f.scause, stval: f.stval, priv };
      const leaf = lookupLeaf(this.#satp, va, this.#memory);
      if (faults >= RETRY_LIMIT) throw new TrapLoopError(trap, faults + 1, leaf ? leaf.pte : null);
      if (isPageFault(f.scause)) {
        this.#c.pageFaults++;
        const present = leaf !== null && (leaf.pte & PTE_V) !== 0 && (leaf.pte & (PTE_R | PTE_X)) !== 0;
        const cowFault = f.scause === SCAUSE_STORE_PAGE_FAULT && present && (leaf.pte & PTE_COW) !== 0;
        if (cowFault) this.#c.cowFaults++;
        if (faults === 0) {
          cow = cowFault;
          if (cowFault) cowFrame = PTE2PA(leaf.pte) >>> PGSHIFT;
          absent = !present;
          copiedBefore = this.#c.framesCopied;
          zeroedBefore = this.#c.framesZeroed;
        }
      }
      const action = this.#deliver(trap);
      if (action === "resume") continue;
      if (action === "SIGSEGV") this.#c.segfaults++;
      if (action === "SIGKILL") this.#c.oomKills++;
      return action === "fail" ? -2 : -1;
    }
  }

  #deliver(trap: Trap): TrapAction {
    if (this.#stvec === null) throw new Error(`Trap with scause ${trap.scause} but no handler in stvec`);
    this.#c.cycles += COST.trap;
    return this.#stvec(trap);
  }

  #step(): void {
    if (++this.#steps > this.#stepBudget) throw new StepBudgetExceeded(this.#stepBudget);
  }
}

// The access a page or access fault's scause names: "a store at ...", never "a access".
function accessKind(scause: number): string {
  if (scause === SCAUSE_STORE_PAGE_FAULT || scause === SCAUSE_STORE_ACCESS_FAULT) return "store";
  if (scause === SCAUSE_LOAD_PAGE_FAULT || scause === SCAUSE_LOAD_ACCESS_FAULT) return "load";
  return "fetch";
}

function isPageFault(scause: number): boolean {
  return (
    scause === SCAUSE_STORE_PAGE_FAULT || scause === SCAUSE_LOAD_PAGE_FAULT || scause === SCAUSE_INSTRUCTION_PAGE_FAULT
  );
}
