// Lab part A: fork's page-table copy, with copy-on-write.

import {
  PGSIZE,
  PTE_A,
  PTE_COW,
  PTE_D,
  PTE_FLAGS,
  PTE_V,
  PTE_W,
  PTE2PA,
  Pagetable,
  krefinc,
  mappages,
  mappedPages,
  readPte,
  sfence_vma,
  uvmunmap,
  walk,
  writePte,
} from "./defs";

/**
 * Makes the child's page table `child` map every page that the parent's
 * table `parent` maps, to the same frame, copying no data (xv6's uvmcopy,
 * the copy-on-write way):
 *  - a writable page becomes read-only and copy-on-write (PTE_W cleared,
 *    PTE_COW set) in both tables, so that the first store by either
 *    process faults and cowfault() can give the writer its own copy;
 *  - a read-only page (text) is shared as it is and never marked COW;
 *  - each frame gains one reference (krefinc) for the child's mapping.
 * The parent keeps running under ASID `parentAsid`, and its TLB may still
 * hold the old writable translations: fence them once the PTEs are changed.
 *
 * Returns 0, or -1 when a page-table page for the child could not be
 * allocated. Before returning -1 it unmaps what it mapped in the child,
 * dropping the references it added (the parent's pages may stay COW:
 * a later store finds reference count 1 and reuses the frame).
 */
export function uvmcopy(parent: Pagetable, child: Pagetable, parentAsid: number): number {
  // BEGIN SOLUTION
  // starter: For each page mappedPages(parent) lists: find its PTE with walk(),
  // starter: make it read-only and COW if it was writable, map the same frame in
  // starter: the child with the same flags (mappages), and count the new sharer.
  const pages = mappedPages(parent);
  for (let i = 0; i < pages.length; i++) {
    const va = pages[i]!;
    const ptep = walk(parent, va, false)!;
    let pte = readPte(ptep);
    if (pte & PTE_W) {
      pte = (pte & ~PTE_W) | PTE_COW;
      writePte(ptep, pte);
    }
    const pa = PTE2PA(pte);
    if (mappages(child, va, PGSIZE, pa, PTE_FLAGS(pte) & ~(PTE_V | PTE_A | PTE_D)) < 0) {
      for (let j = 0; j < i; j++) uvmunmap(child, pages[j]!, 1, true);
      sfence_vma(null, parentAsid);
      return -1;
    }
    krefinc(pa);
  }
  // the parent's PTEs went from RW to RO: fence, or its TLB entries stay writable
  sfence_vma(null, parentAsid);
  return 0;
  // END SOLUTION
}
