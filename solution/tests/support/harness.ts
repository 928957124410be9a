// Small helpers the lab's tests use to drive the machine: boot it, start a
// process, store and load through the MMU as the process would, and look at
// page-table entries without changing anything.

import { Machine } from "../../src/hw/machine";
import { PGSIZE, PTE2PA, PTE_V } from "../../src/hw/riscv";
import { BootOptions, Proc, boot, krefcnt, peekPte, spawn, switchTo } from "../../src/kernel/index";

export { fork, exec, exit, wait, sbrk, audit, krefcnt, mappings } from "../../src/kernel/index";

/** The machine the current test booted. */
export let machine: Machine;

/** Boots a fresh machine and kernel (default: 32768 frames, 64 TLB entries). */
export function bootMachine(options: BootOptions = {}): Machine {
  machine = boot(options);
  return machine;
}

/** A process running the default image: 4 text pages, 1 data, 1 bss, 1 stack page. */
export function spawnInit(image = { text: 4, data: 1, bss: 1, stack: 1 }): Proc {
  const p = spawn("init", image);
  if (p === "ENOMEM") throw new Error("spawn failed: the test machine has too few frames");
  return p;
}

/** `p` stores `bytes` at `va`; returns "ok", or "killed" when the store killed it. */
export function store(p: Proc, va: number, bytes: number[]): "ok" | "killed" | "failed" {
  switchTo(p);
  return machine.store(va, Uint8Array.from(bytes));
}

/** `p` stores `value` into `length` bytes at `va` (memset). */
export function fill(p: Proc, va: number, value: number, length: number): "ok" | "killed" | "failed" {
  switchTo(p);
  return machine.fill(va, value, length);
}

/** `p` loads `length` bytes at `va`; throws if the load killed it. */
export function load(p: Proc, va: number, length: number): number[] {
  switchTo(p);
  const r = machine.load(va, length);
  if (!(r instanceof Uint8Array)) throw new Error(`pid ${p.pid}'s load at 0x${hex(va)} did not complete: ${r}`);
  return [...r];
}

/** The PTE that maps `va` in `p`'s page table (0 when there is none). */
export function pteOf(p: Proc, va: number): number {
  if (p.pagetable === null) return 0;
  return peekPte(p.pagetable, va);
}

/** The frame number `p` maps at `va`, or null when nothing is mapped there. */
export function frameOf(p: Proc, va: number): number | null {
  const pte = pteOf(p, va);
  return pte & PTE_V ? PTE2PA(pte) / PGSIZE : null;
}

/** The reference count of the frame `p` maps at `va` (null when nothing is mapped). */
export function refsAt(p: Proc, va: number): number | null {
  const frame = frameOf(p, va);
  return frame === null ? null : krefcnt(frame * PGSIZE);
}

/** `n` as eight hex digits. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
