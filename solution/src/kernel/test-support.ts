// Helpers shared by the kernel's tests: run a process's loads and stores
// on the hart the way a user program would, and look at its PTEs. Not a
// test file itself; nothing in the kernel imports it.

import { AccessOutcome } from "../hw/machine";
import { PTE2PA } from "../hw/riscv";
import { Image, KernelPanic, Proc, fork, hart, peekPte, spawn, switchTo } from "./index";

/** The scenarios' default image (SCENARIOS.md): text 4, data 1, bss 1, stack 1. */
export const INIT: Image = { text: 4, data: 1, bss: 1, stack: 1 };

// Where INIT's segments sit (layout.ts): text from 0x10000, each segment
// right after the one before, the heap on the page after bss, the stack
// the one page below 0x80000000.
export const TEXT = 0x10000;
export const DATA = TEXT + 4 * 4096; // 0x14000
export const BSS = DATA + 4096; // 0x15000
export const HEAP = BSS + 4096; // 0x16000
export const STACK = 0x80000000 - 4096; // 0x7ffff000

/** spawn() that must succeed. */
export function spawnOk(image: Image = INIT, name = "init"): Proc {
  const p = spawn(name, image);
  if (p === "ENOMEM") throw new Error(`spawn of "${name}" ran out of memory`);
  return p;
}

/** fork() that must succeed. */
export function forkOk(p: Proc): Proc {
  const c = fork(p);
  if (c === "ENOMEM") throw new Error(`fork of pid ${p.pid} ran out of memory`);
  return c;
}

/** Runs `p` and stores `bytes` at `va` in U-mode, faults and all. */
export function store(p: Proc, va: number, bytes: readonly number[]): AccessOutcome {
  switchTo(p);
  return hart().store(va, Uint8Array.from(bytes));
}

/** Runs `p` and loads `n` bytes at `va` in U-mode: the bytes, or how the access ended. */
export function load(p: Proc, va: number, n: number): number[] | AccessOutcome {
  switchTo(p);
  const r = hart().load(va, n);
  return r instanceof Uint8Array ? [...r] : r;
}

/** `p`'s level-0 PTE for `va`, as memory holds it (0 when there is none). */
export function pteOf(p: Proc, va: number): number {
  return peekPte(p.pagetable!, va);
}

/** The physical address of the frame `p` maps at `va`. */
export function frameOf(p: Proc, va: number): number {
  return PTE2PA(pteOf(p, va));
}

/** The message of the KernelPanic that `f` throws; fails when it throws none or something else. */
export function panicOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof KernelPanic) return e.message;
    throw e;
  }
  throw new Error("expected a KernelPanic, but nothing was thrown");
}
