// What the hidden suites use to drive the lab's kernel: boot a machine, start
// processes, load and store through the MMU as a user program would, and
// look at PTEs, frames and counters without changing anything. Everything
// comes through "@lab/...", which is solution/src in the kit and a
// submission's workspace in the grader.

import { Counters, Machine } from "@lab/hw/machine";
import { PGSIZE, PTE2PA, PTE_V } from "@lab/hw/riscv";
import {
  BootOptions,
  Image,
  Proc,
  boot,
  fork,
  krefcnt,
  mappings,
  peekPte,
  sbrk,
  spawn,
  switchTo,
} from "@lab/kernel/index";

/** The scenarios' default image "init" (scenarios.md): text 4, data 1, bss 1, stack 1 pages. */
export const INIT: Image = { text: 4, data: 1, bss: 1, stack: 1 };

// Where INIT's segments sit (scenarios.md, "Address space"): text from
// 0x10000, each segment right after the one before, the heap on the page
// after bss, the stack the one page below 0x80000000.
//
//   0x00010000 text (4 pages)   0x00014000 data   0x00015000 bss
//   0x00016000 heap (the break) 0x7ffff000 stack
//
// Sv32 splits a va as VPN[1] (bits 31-22) | VPN[0] (21-12) | offset: text
// to heap share VPN[1] = 0 (one level-0 table), the stack has VPN[1] =
// 0x1ff (a second one). So spawning INIT takes 7 frames: the root, the
// level-0 table for VPN[1] = 0, 4 text pages and 1 data page.
export const TEXT = 0x10000;
export const DATA = TEXT + 4 * PGSIZE; // 0x14000
export const BSS = DATA + PGSIZE; // 0x15000
export const HEAP = BSS + PGSIZE; // 0x16000
export const STACK = 0x80000000 - PGSIZE; // 0x7ffff000
export const TEXT_PAGES = [TEXT, TEXT + PGSIZE, TEXT + 2 * PGSIZE, TEXT + 3 * PGSIZE];
export const SPAWN_FRAMES = 7;

let current: Machine | null = null;

/** The machine the running test booted. */
export function machine(): Machine {
  if (current === null) throw new Error("The test has not booted a machine (call bootMachine() first)");
  return current;
}

/** Whether the running test booted a machine (the audit after each test needs one). */
export function booted(): boolean {
  return current !== null;
}

/** Forgets the machine (after each test). */
export function forgetMachine(): void {
  current = null;
}

/** Boots a fresh machine and kernel; small machines make out-of-memory cases exact. */
export function bootMachine(options: BootOptions = {}): Machine {
  current = boot(options);
  return current;
}

/** Marks a machine booted elsewhere (by the scenario runner) as this test's. */
export function adoptMachine(m: Machine): void {
  current = m;
}

/** spawn() that must succeed. */
export function spawnOk(image: Image = INIT, name = "init"): Proc {
  const p = spawn(name, image);
  if (p === "ENOMEM") throw new Error(`spawn of "${name}" failed with ENOMEM on a machine that has room for it`);
  return p;
}

/** fork() that must succeed. */
export function forkOk(p: Proc): Proc {
  const c = fork(p);
  if (c === "ENOMEM") throw new Error(`fork of pid ${p.pid} failed with ENOMEM on a machine that has room for it`);
  return c;
}

/** sbrk() that must succeed; returns the old break. */
export function sbrkOk(p: Proc, bytes: number): number {
  const old = sbrk(p, bytes);
  if (old === "ENOMEM") throw new Error(`sbrk(${bytes}) of pid ${p.pid} failed with ENOMEM`);
  return old;
}

/** Runs `p` and stores `bytes` at `va` in U-mode: "ok", or "killed" when the store killed it. */
export function store(p: Proc, va: number, bytes: readonly number[]): string {
  switchTo(p);
  return machine().store(va, Uint8Array.from(bytes));
}

/** Runs `p` and stores `value` into `length` bytes at `va` (memset). */
export function fill(p: Proc, va: number, value: number, length: number): string {
  switchTo(p);
  return machine().fill(va, value, length);
}

/** Runs `p` and loads `length` bytes at `va`: the bytes, or how the access ended ("killed"). */
export function load(p: Proc, va: number, length: number): number[] | string {
  switchTo(p);
  const r = machine().load(va, length);
  return r instanceof Uint8Array ? [...r] : r;
}

/** Runs `p` and stores 0xA5 at the first byte of `pages` pages from `va` (scenarios.md's "touch"). */
export function touch(p: Proc, va: number, pages: number): void {
  for (let i = 0; i < pages; i++) {
    const r = store(p, va + i * PGSIZE, [0xa5]);
    if (r !== "ok") throw new Error(`pid ${p.pid}'s store at 0x${hex(va + i * PGSIZE)} did not complete: ${r}`);
  }
}

/** `p`'s level-0 PTE for `va`, as memory holds it (0 when there is none). */
export function pteOf(p: Proc, va: number): number {
  if (p.pagetable === null) return 0;
  return peekPte(p.pagetable, va);
}

/** The frame number `p` maps at `va`, or null when nothing is mapped there. */
export function frameOf(p: Proc, va: number): number | null {
  const pte = pteOf(p, va);
  return pte & PTE_V ? PTE2PA(pte) / PGSIZE : null;
}

/** The reference count of frame number `frame`. */
export function refs(frame: number | null): number {
  if (frame === null) throw new Error("refs(): no frame (the page is not mapped)");
  return krefcnt(frame * PGSIZE);
}

/** The virtual addresses of every page `p` maps, lowest first. */
export function pagesOf(p: Proc): number[] {
  if (p.pagetable === null) return [];
  return mappings(p.pagetable).map((m) => m.va);
}

/** The counters now. */
export function counters(): Counters {
  return machine().counters();
}

/** How much each counter moved while `f` ran (framesInUse and pageTableFrames as differences too). */
export function delta(f: () => void): Counters {
  const before = counters();
  f();
  const after = counters();
  const out = { ...after };
  for (const k of Object.keys(after) as (keyof Counters)[]) out[k] = after[k] - before[k];
  return out;
}

/** `n` as eight hex digits. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** The load pattern of text and data pages (scenarios.md): each byte is the low byte of its own address. */
export function pattern(va: number, length: number): number[] {
  return Array.from({ length }, (_, i) => (va + i) & 0xff);
}
