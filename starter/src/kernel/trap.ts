// The trap path: where the hart's page faults land (xv6's usertrap).
//
//   store fault on a present user page
//     whose PTE is marked COW           -> cowfault(): copy or reuse
//   any fault on an absent page inside
//     bss, heap or stack                -> map a fresh zero-filled frame
//   anything else (outside every region,
//     a write to a page that is not COW
//     such as text, a non-U page...)    -> SIGSEGV
//   no frame left to resolve it         -> SIGKILL
//
// A fault taken in supervisor mode (copyout) is resolved the same way and
// counted for the same process; when it cannot be resolved, copyout fails
// instead of the process being killed (Linux returns EFAULT).

import { hex8 } from "../hw/_format";
import { Trap, TrapAction } from "../hw/machine";
import {
  PGROUNDDOWN,
  PGSIZE,
  PTE2PA,
  PTE_COW,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_X,
  SCAUSE_INSTRUCTION_PAGE_FAULT,
  SCAUSE_LOAD_PAGE_FAULT,
  SCAUSE_STORE_PAGE_FAULT,
} from "../hw/riscv";
import { cowfault } from "./cow";
import { kalloc, kfree, krefcnt } from "./kalloc";
import { regionAt } from "./layout";
import { Proc, kill, myproc } from "./proc";
import { panic } from "./panic";
import { FaultResolution, record, tracing } from "./trace";
import { mappages, readPte, walk } from "./vm";
import { peekPte } from "./inspect";

type Outcome = "ok" | "SIGSEGV" | "SIGKILL";

/** The handler the kernel installs in stvec. */
export function usertrap(trap: Trap): TrapAction {
  const p = myproc();
  if (p === null) panic(`usertrap: scause ${trap.scause} at 0x${hex8(trap.stval)} with no process running`);
  if (!isPageFault(trap.scause)) {
    panic(
      `usertrap: scause ${trap.scause} (access fault) at va 0x${hex8(trap.stval)}: ` +
        `a page-table entry points outside physical memory`,
    );
  }
  const before = tracing() ? snapshot(p, trap.stval) : null;
  const outcome = pagefault(p, trap.stval, trap.scause);
  let action: TrapAction;
  if (outcome === "ok") {
    p.minorFaults++;
    action = "resume";
  } else if (trap.priv === "S" && outcome === "SIGSEGV") {
    action = "fail";
  } else {
    action = outcome;
  }
  if (before !== null) recordFault(p, trap, action, before);
  if (action === "SIGSEGV" || action === "SIGKILL") kill(p, action);
  return action;
}

// Decides what the fault at `va` means for `p` and resolves it if it can.
function pagefault(p: Proc, va: number, scause: number): Outcome {
  const region = regionAt(p.layout, p.brk, va);
  if (region === null) return "SIGSEGV";
  const ptep = walk(p.pagetable!, va, false);
  const pte = ptep === null ? 0 : readPte(ptep);
  if (pte & PTE_V) {
    if (scause !== SCAUSE_STORE_PAGE_FAULT || !(pte & PTE_U) || !(pte & PTE_COW)) return "SIGSEGV";
    const r = cowfault(p.pagetable!, va, p.asid);
    return r === "ok" ? "ok" : r === "not-cow" ? "SIGSEGV" : "SIGKILL";
  }
  if (!region.onDemand) return "SIGSEGV";
  return demandZero(p, PGROUNDDOWN(va), region.perm);
}

// Zero-fill on demand: a fresh zeroed frame from the same free pool.
function demandZero(p: Proc, page: number, perm: number): Outcome {
  const pa = kalloc();
  if (pa === null) return "SIGKILL";
  if (mappages(p.pagetable!, page, PGSIZE, pa, perm) < 0) {
    kfree(pa);
    return "SIGKILL";
  }
  return "ok";
}

function isPageFault(scause: number): boolean {
  return (
    scause === SCAUSE_STORE_PAGE_FAULT || scause === SCAUSE_LOAD_PAGE_FAULT || scause === SCAUSE_INSTRUCTION_PAGE_FAULT
  );
}

interface PteState {
  pte: number | null;
  frame: number | null;
  ref: number | null;
}

function snapshot(p: Proc, va: number): PteState {
  if (p.pagetable === null) return { pte: null, frame: null, ref: null };
  const pte = peekPte(p.pagetable, va);
  if (!(pte & PTE_V) || !(pte & (PTE_R | PTE_X))) return { pte, frame: null, ref: null };
  const pa = PTE2PA(pte);
  return { pte, frame: pa / PGSIZE, ref: krefcnt(pa) };
}

function recordFault(p: Proc, trap: Trap, action: TrapAction, before: PteState): void {
  const after = snapshot(p, trap.stval);
  let resolution: FaultResolution = action;
  if (action === "resume") {
    if (before.frame === null) resolution = "demand-zero";
    else resolution = after.frame === before.frame ? "cow-reuse" : "cow-copy";
  }
  record({
    kind: "fault",
    pid: p.pid,
    va: trap.stval,
    scause: trap.scause,
    priv: trap.priv,
    resolution,
    pteBefore: before.pte,
    pteAfter: after.pte,
    frameBefore: before.frame,
    frameAfter: after.frame,
    refBefore: before.ref,
    refAfter: after.ref,
  });
}
