// User page tables: walking, mapping and unmapping, as xv6's vm.c. A page
// table is named by the physical address of its root page (xv6's
// pagetable_t); a PTE is named by its own physical address (xv6's pte_t*)
// and read and written with readPte()/writePte().

import { hex8 } from "../hw/_format";
import {
  MAXVA,
  NPTE,
  PA2PTE,
  PGSIZE,
  PTE2PA,
  PTESIZE,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
  PX,
  SSTATUS_SUM,
} from "../hw/riscv";
import { hart } from "./hart";
import { kallocPagetable, kfree } from "./kalloc";
import { panic } from "./panic";

/** The physical address of a root page table (xv6's pagetable_t). */
export type Pagetable = number;

/** Reads the PTE at physical address `ptep`. */
export function readPte(ptep: number): number {
  return hart().read32(ptep);
}

/** Writes `pte` to the PTE at physical address `ptep`. */
export function writePte(ptep: number, pte: number): void {
  hart().write32(ptep, pte >>> 0);
}

/** Whether a valid PTE is a leaf (maps a page) rather than a pointer to a table. */
export function isLeaf(pte: number): boolean {
  return (pte & (PTE_R | PTE_W | PTE_X)) !== 0;
}

/** Creates an empty user page table; null when out of memory. */
export function uvmcreate(): Pagetable | null {
  return kallocPagetable();
}

/**
 * Returns the address of the level-0 PTE for `va` in `pagetable`. When
 * `alloc` is true, creates the missing level-0 table on the way. Returns
 * null when the table is missing and `alloc` is false, or when no frame is
 * left for it.
 */
export function walk(pagetable: Pagetable, va: number, alloc: boolean): number | null {
  if (!(va >= 0 && va < MAXVA)) panic(`walk: va 0x${hex8(va)} is outside Sv32's 32-bit address space`);
  const l1 = pagetable + PX(1, va) * PTESIZE;
  const pde = readPte(l1);
  let table: number;
  if (pde & PTE_V) {
    if (isLeaf(pde)) panic(`walk: va 0x${hex8(va)} is inside a megapage`);
    table = PTE2PA(pde);
  } else {
    if (!alloc) return null;
    const fresh = kallocPagetable();
    if (fresh === null) return null;
    writePte(l1, PA2PTE(fresh) | PTE_V);
    table = fresh;
  }
  return table + PX(0, va) * PTESIZE;
}

/**
 * The physical address of the user page mapped at `va`, or null when none
 * is mapped there (or it is not a user page).
 */
export function walkaddr(pagetable: Pagetable, va: number): number | null {
  const ptep = walk(pagetable, va, false);
  if (ptep === null) return null;
  const pte = readPte(ptep);
  if (!(pte & PTE_V) || !(pte & PTE_U)) return null;
  return PTE2PA(pte);
}

/**
 * Maps the `size` bytes of virtual addresses at `va` (page-aligned) to the
 * physical addresses at `pa`, with permissions `perm` (PTE_V is added).
 * Returns 0, or -1 when a page-table page could not be allocated (then the
 * pages mapped so far stay mapped; the caller unmaps them). Panics on a
 * mapping that is already there ("mappages: remap").
 */
export function mappages(pagetable: Pagetable, va: number, size: number, pa: number, perm: number): number {
  if (va % PGSIZE !== 0) panic(`mappages: va 0x${hex8(va)} not aligned`);
  if (size % PGSIZE !== 0 || size === 0) panic(`mappages: size ${size} is not a positive multiple of PGSIZE`);
  for (let off = 0; off < size; off += PGSIZE) {
    const ptep = walk(pagetable, va + off, true);
    if (ptep === null) return -1;
    if (readPte(ptep) & PTE_V) panic(`mappages: remap of va 0x${hex8(va + off)}`);
    writePte(ptep, PA2PTE(pa + off) | perm | PTE_V);
  }
  return 0;
}

/**
 * Removes the mappings of `npages` pages from `va` (page-aligned). Pages
 * that are not mapped are skipped (lazily allocated memory has holes).
 * When `dofree` is true, drops one reference to each unmapped frame with
 * kfree(). The caller fences the TLB.
 */
export function uvmunmap(pagetable: Pagetable, va: number, npages: number, dofree: boolean): void {
  if (va % PGSIZE !== 0) panic(`uvmunmap: va 0x${hex8(va)} not aligned`);
  for (let a = va; a < va + npages * PGSIZE; a += PGSIZE) {
    const ptep = walk(pagetable, a, false);
    if (ptep === null) continue;
    const pte = readPte(ptep);
    if (!(pte & PTE_V)) continue;
    if (!isLeaf(pte)) panic(`uvmunmap: va 0x${hex8(a)} maps a page table, not a page`);
    if (dofree) kfree(PTE2PA(pte));
    writePte(ptep, 0);
  }
}

/** A valid entry of a page-table page: its index (0 to NPTE - 1) and the PTE itself. */
export interface PteEntry {
  readonly index: number;
  readonly pte: number;
}

/**
 * The valid entries (PTE_V set) of the page-table page at physical address
 * `table`, lowest index first. One call reads the whole page, as a loop of
 * NPTE readPte() calls would, and walks no further: a root's entry that
 * points at a level-0 table has its own entries in validPtes(PTE2PA(pte)).
 */
export function validPtes(table: number): PteEntry[] {
  const entries: PteEntry[] = [];
  for (let i = 0; i < NPTE; i++) {
    const pte = readPte(table + i * PTESIZE);
    if (pte & PTE_V) entries.push({ index: i, pte });
  }
  return entries;
}

/**
 * The virtual addresses of every page mapped in `pagetable` (valid leaf
 * PTEs), lowest first. It skips whole level-0 tables that are absent, so it
 * costs one read per level-1 entry plus one per entry of each present table.
 */
export function mappedPages(pagetable: Pagetable): number[] {
  const pages: number[] = [];
  for (const { index: i, pte: pde } of validPtes(pagetable)) {
    if (isLeaf(pde)) panic(`mappedPages: megapage at va 0x${hex8(i * 2 ** 22)} (the kernel maps none)`);
    for (const { index: j } of validPtes(PTE2PA(pde))) pages.push(i * 2 ** 22 + j * PGSIZE);
  }
  return pages;
}

/**
 * Stores `bytes` at user address `dstva` of the address space now in satp,
 * through the MMU in supervisor mode with sstatus.SUM set, as Linux's
 * copy_to_user does: a COW page takes a real store fault, resolved and
 * counted like a user's. Returns 0, or -1 when the address cannot be
 * written (the process was killed, or the address is bad).
 */
export function copyout(dstva: number, bytes: Uint8Array): number {
  const m = hart();
  const saved = m.sstatus;
  m.sstatus = saved | SSTATUS_SUM;
  try {
    return m.store(dstva, bytes, "S") === "ok" ? 0 : -1;
  } finally {
    m.sstatus = saved;
  }
}
