// Looking at page tables from outside, for figures, the audit and the trace:
// reads through the machine's observer view, so looking costs no cycles,
// takes no steps and changes nothing.

import { NPTE, PGSIZE, PTE2PA, PTESIZE, PTE_R, PTE_V, PTE_W, PTE_X } from "../hw/riscv";
import { hart } from "./hart";
import { Pagetable } from "./vm";

/** A valid leaf PTE as found in a page table. */
export interface Mapping {
  readonly va: number;
  readonly pte: number;
  readonly pteAddr: number;
  readonly level: number; // 0 for a page, 1 for a megapage
}

/** Every valid leaf of `pagetable`, lowest va first. */
export function mappings(pagetable: Pagetable): Mapping[] {
  const mem = hart().peekMemory;
  const out: Mapping[] = [];
  for (let i = 0; i < NPTE; i++) {
    const l1 = pagetable + i * PTESIZE;
    const pde = mem.read32(l1);
    if (!(pde & PTE_V)) continue;
    if (pde & (PTE_R | PTE_W | PTE_X)) {
      out.push({ va: i * 2 ** 22, pte: pde, pteAddr: l1, level: 1 });
      continue;
    }
    const table = PTE2PA(pde);
    if (!mem.contains(table)) continue;
    for (let j = 0; j < NPTE; j++) {
      const pteAddr = table + j * PTESIZE;
      const pte = mem.read32(pteAddr);
      if (pte & PTE_V) out.push({ va: i * 2 ** 22 + j * PGSIZE, pte, pteAddr, level: 0 });
    }
  }
  return out;
}

/** The physical addresses of `pagetable`'s page-table pages, root first. */
export function tablePages(pagetable: Pagetable): number[] {
  const mem = hart().peekMemory;
  const out = [pagetable];
  for (let i = 0; i < NPTE; i++) {
    const pde = mem.read32(pagetable + i * PTESIZE);
    if (pde & PTE_V && !(pde & (PTE_R | PTE_W | PTE_X))) out.push(PTE2PA(pde));
  }
  return out;
}

/** The level-0 PTE for `va` in `pagetable` (0 when there is none). */
export function peekPte(pagetable: Pagetable, va: number): number {
  const mem = hart().peekMemory;
  const pde = mem.read32(pagetable + Math.floor(va / 2 ** 22) * PTESIZE);
  if (!(pde & PTE_V) || pde & (PTE_R | PTE_W | PTE_X)) return 0;
  const table = PTE2PA(pde);
  if (!mem.contains(table)) return 0;
  return mem.read32(table + ((va >>> 12) & 0x3ff) * PTESIZE);
}
