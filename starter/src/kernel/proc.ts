// Processes: the process table, fork, exit, wait, kill and sbrk.
//
// Each process has its own page-table root and its own ASID; satp holds
// both while it runs. That is how the MMU tells parent and child apart at
// the same virtual address: the same va is looked up in a different table,
// and the TLB keeps their translations apart by ASID.

import { MAKE_SATP, PGROUNDUP, PGSIZE, PTE2PA, PTE_U } from "../hw/riscv";
import { asidalloc, asidfree } from "./asid";
import { hart, sfence_vma, w_satp } from "./hart";
import { krefcnt } from "./kalloc";
import { Layout, maxBrk } from "./layout";
import { NotImplemented, panic } from "./panic";
import { record } from "./trace";
import { uvmcopy } from "./uvmcopy";
import { uvmfree } from "./uvmfree";
import { Pagetable, copyout, uvmcreate, uvmunmap } from "./vm";
import { mappings } from "./inspect";

export type ProcState = "running" | "exited" | "killed";
export type Signal = "SIGSEGV" | "SIGKILL";

/** Memory figures of a process (SCENARIOS.md, "Figures"). */
export interface Resident {
  rssPages: number; // present user pages
  sharedPages: number; // ... whose frame has more than one reference
  privatePages: number; // ... whose frame has exactly one
}

export interface Proc {
  readonly pid: number;
  state: ProcState;
  pagetable: Pagetable | null; // null once torn down
  asid: number; // 0 while it has none
  image: string;
  layout: Layout;
  brk: number;
  parent: Proc | null;
  xstate: number; // exit status, -1 when killed
  killedBy: Signal | null;
  minorFaults: number;
  reaped: boolean;
  frozen: Resident | null; // figures at exit
}

let procs: Proc[] = [];
let nextpid = 1;
let current: Proc | null = null;

/** Empties the process table (boot does this). */
export function procinit(): void {
  procs = [];
  nextpid = 1;
  current = null;
}

/** Every process ever created, in pid order. */
export function allprocs(): readonly Proc[] {
  return procs;
}

/** The process whose address space is in satp, or null. */
export function myproc(): Proc | null {
  return current;
}

/** Whether `p` can still run (it has not exited or been killed). */
export function alive(p: Proc): boolean {
  return p.state === "running";
}

/** Makes `p` the running process: satp gets its page table and ASID. */
export function switchTo(p: Proc): void {
  if (!alive(p) || p.pagetable === null) panic(`switchTo: pid ${p.pid} is not running`);
  asidalloc(p);
  w_satp(MAKE_SATP(p.pagetable, p.asid));
  current = p;
}

/** A new process table entry with an empty page table; null when out of memory. */
export function allocproc(image: string, layout: Layout, parent: Proc | null): Proc | null {
  const pagetable = uvmcreate();
  if (pagetable === null) return null;
  const p: Proc = {
    pid: nextpid++,
    state: "running",
    pagetable,
    asid: 0,
    image,
    layout,
    brk: layout.heap,
    parent,
    xstate: 0,
    killedBy: null,
    minorFaults: 0,
    reaped: false,
    frozen: null,
  };
  procs.push(p);
  return p;
}

/** Undoes allocproc() for a process that never ran: frees its page tables, forgets it. */
export function freeproc(p: Proc): void {
  if (p.pagetable !== null) uvmfree(p.pagetable);
  p.pagetable = null;
  procs.splice(procs.indexOf(p), 1);
  if (p.pid === nextpid - 1) nextpid--;
}

/**
 * Creates a child of `p` sharing all of its memory copy-on-write. Returns
 * the child, or "ENOMEM" (and `p` as it was, nothing leaked) when the
 * child's page tables could not be allocated.
 */
export function fork(p: Proc): Proc | "ENOMEM" {
  hart().ecall();
  switchTo(p);
  const child = allocproc(p.image, p.layout, p);
  if (child === null) return syscallResult(p, "fork", "ENOMEM");
  child.brk = p.brk;
  if (uvmcopy(p.pagetable!, child.pagetable!, p.asid) < 0) {
    freeproc(child);
    return syscallResult(p, "fork", "ENOMEM");
  }
  record({ kind: "syscall", pid: p.pid, name: "fork", result: `child pid ${child.pid}` });
  return child;
}

/** Exits `p` with `status`: frees all its memory now; the status waits for wait(). */
export function exit(p: Proc, status: number): void {
  hart().ecall();
  teardown(p, "exited", status, null);
  record({ kind: "syscall", pid: p.pid, name: "exit", result: `status ${status}` });
}

/** Kills `p` with `signal`: as exit(-1), remembering the signal. */
export function kill(p: Proc, signal: Signal): void {
  teardown(p, "killed", -1, signal);
  record({ kind: "syscall", pid: p.pid, name: "kill", result: signal });
}

// A kill must work before part C is written (a starter program that
// segfaults still dies); its memory then stays allocated, and the trace
// says why. Any other error from uvmfree is a real bug and goes on up.
function uvmfreeOnKill(p: Proc, pagetable: Pagetable): void {
  try {
    uvmfree(pagetable);
  } catch (e) {
    if (!(e instanceof NotImplemented)) throw e;
    record({
      kind: "syscall",
      pid: p.pid,
      name: "kill",
      result: "memory not freed: uvmfree() is not written yet (part C)",
    });
  }
}

/**
 * Reaps the exited (or killed) child of `p` with the lowest pid, storing its
 * exit status at `statusAddr` when given (through copyout). Returns the
 * child, "ECHILD" when no child has exited, or "EFAULT" when the status
 * could not be stored (the child is then not reaped).
 */
export function wait(p: Proc, statusAddr: number | null): Proc | "ECHILD" | "EFAULT" {
  hart().ecall();
  const child = procs.find((c) => c.parent === p && !alive(c) && !c.reaped);
  if (child === undefined) return syscallResult(p, "wait", "ECHILD");
  if (statusAddr !== null) {
    switchTo(p);
    const word = new Uint8Array(4);
    new DataView(word.buffer).setInt32(0, child.xstate, true);
    if (copyout(statusAddr, word) < 0) return syscallResult(p, "wait", "EFAULT");
  }
  child.reaped = true;
  record({ kind: "syscall", pid: p.pid, name: "wait", result: `reaped pid ${child.pid}` });
  return child;
}

/**
 * Moves `p`'s program break by `n` bytes and returns the old break, or
 * "ENOMEM" when the heap would run into the stack or below its start.
 * Growing maps nothing (frames come at first touch); shrinking unmaps.
 */
export function sbrk(p: Proc, n: number): number | "ENOMEM" {
  hart().ecall();
  const old = p.brk;
  const brk = old + n;
  if (brk > maxBrk(p.layout) || brk < p.layout.heap) return syscallResult(p, "sbrk", "ENOMEM");
  if (n < 0 && PGROUNDUP(brk) < PGROUNDUP(old)) {
    const from = PGROUNDUP(brk);
    uvmunmap(p.pagetable!, from, (PGROUNDUP(old) - from) / PGSIZE, true);
    sfence_vma(null, p.asid);
  }
  p.brk = brk;
  return old;
}

/** The memory figures of `p`: frozen at exit, else counted from its page table. */
export function resident(p: Proc): Resident {
  if (p.frozen !== null) return p.frozen;
  const figures = { rssPages: 0, sharedPages: 0, privatePages: 0 };
  if (p.pagetable === null) return figures;
  for (const { pte } of mappings(p.pagetable)) {
    if (!(pte & PTE_U)) continue;
    figures.rssPages++;
    if (krefcnt(PTE2PA(pte)) > 1) figures.sharedPages++;
    else figures.privatePages++;
  }
  return figures;
}

// Releases everything `p` holds, at once, as Linux does at exit: its
// address space, its page tables and its ASID. Its children lose their parent.
function teardown(p: Proc, state: ProcState, status: number, signal: Signal | null): void {
  if (!alive(p)) panic(`exit: pid ${p.pid} has already ${p.state}`);
  p.frozen = resident(p);
  p.state = state;
  p.xstate = status;
  p.killedBy = signal;
  const pagetable = p.pagetable!;
  p.pagetable = null;
  if (state === "killed") uvmfreeOnKill(p, pagetable);
  else uvmfree(pagetable);
  // its translations must not outlive its frames (another process may get them)
  if (p.asid !== 0) sfence_vma(null, p.asid);
  asidfree(p);
  for (const c of procs) if (c.parent === p) c.parent = null;
  if (current === p) current = null;
}

function syscallResult<E extends string>(p: Proc, name: string, error: E): E {
  record({ kind: "syscall", pid: p.pid, name, result: error });
  return error;
}
