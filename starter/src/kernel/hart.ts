// The one hart this kernel runs on: its control registers, its fences and
// the kernel's direct view of physical memory. Kernel code reaches the
// machine only through these functions, as xv6 reaches it through riscv.h.

import { Machine, TrapHandler } from "../hw/machine";
import { record } from "./trace";

let machine: Machine | null = null;

/** Binds the kernel to `m` (boot does this once per run). */
export function attach(m: Machine, handler: TrapHandler): void {
  machine = m;
  m.stvec = handler;
}

/** The machine the kernel runs on; panics before boot. */
export function hart(): Machine {
  if (machine === null) throw new Error("hart: the kernel has not been booted (call boot() first)");
  return machine;
}

/** csrw satp. */
export function w_satp(satp: number): void {
  hart().satp = satp;
}

/** csrr satp. */
export function r_satp(): number {
  return hart().satp;
}

/**
 * sfence.vma: orders page-table stores before later translations and drops
 * stale TLB entries. `va` null flushes every address, `asid` null every
 * address space; `sfence_vma()` flushes the whole TLB.
 */
export function sfence_vma(va: number | null = null, asid: number | null = null): void {
  hart().sfence_vma(va, asid);
  record({ kind: "fence", va, asid });
}
