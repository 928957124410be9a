// The reference kernel's three edit points, for isolating one part of a
// submission from the other two: a part-A suite runs the student's uvmcopy()
// with these cowfault() and uvmfree(), and so on, so that one mistake costs
// the tests of its own part and not every test of the lab.
//
// They import only the kernel's defs (which students cannot change). Each
// body between "REFERENCE BEGIN" and "REFERENCE END" is the solution's
// block line for line; labs/cow/rubric.test.ts checks that it stays so.

import {
  PGROUNDDOWN,
  PGSIZE,
  PA2PTE,
  PTE_A,
  PTE_COW,
  PTE_D,
  PTE_FLAGS,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE2PA,
  PTESIZE,
  Pagetable,
  isLeaf,
  kalloc,
  kfree,
  krefcnt,
  krefinc,
  mappages,
  mappedPages,
  memmove,
  panic,
  readPte,
  sfence_vma,
  uvmunmap,
  validPtes,
  walk,
  writePte,
} from "@lab/kernel/defs";
import type { CowResult } from "@lab/kernel/cow";

/** solution/src/kernel/uvmcopy.ts's uvmcopy(). */
export function uvmcopy(parent: Pagetable, child: Pagetable, parentAsid: number): number {
  // REFERENCE BEGIN uvmcopy.ts
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
  // REFERENCE END
}

/** solution/src/kernel/cow.ts's cowfault(). */
export function cowfault(pagetable: Pagetable, va: number, asid: number): CowResult {
  // REFERENCE BEGIN cow.ts
  const page = PGROUNDDOWN(va);
  const ptep = walk(pagetable, page, false);
  if (ptep === null) return "not-cow";
  const pte = readPte(ptep);
  if (!(pte & PTE_V) || !(pte & PTE_U) || !(pte & PTE_COW)) return "not-cow";
  const pa = PTE2PA(pte);
  const flags = (PTE_FLAGS(pte) | PTE_W) & ~PTE_COW;
  if (krefcnt(pa) === 1) {
    writePte(ptep, PA2PTE(pa) | flags);
  } else {
    const copy = kalloc();
    if (copy === null) return "out-of-memory";
    memmove(copy, pa, PGSIZE);
    writePte(ptep, PA2PTE(copy) | flags);
    kfree(pa);
  }
  // the PTE went from RO to RW (maybe to a new frame): the old translation must go
  sfence_vma(page, asid);
  return "ok";
  // REFERENCE END
}

/** solution/src/kernel/uvmfree.ts's uvmfree(). */
export function uvmfree(pagetable: Pagetable): void {
  // REFERENCE BEGIN uvmfree.ts
  for (const va of mappedPages(pagetable)) uvmunmap(pagetable, va, 1, true);
  freewalk(pagetable);

  // Frees each level-0 table the root points to, then the root itself
  // (xv6's freewalk, unrolled for Sv32's two levels).
  function freewalk(root: Pagetable): void {
    for (const { index, pte } of validPtes(root)) {
      const table = PTE2PA(pte);
      // Stryker disable all: the checks of a broken invariant, which no correct kernel trips
      const base = index * 2 ** 22; // the 4 MiB this entry covers
      if (isLeaf(pte)) panic(`freewalk: leaf still mapped at va 0x${hex(base)}`);
      const leaf = validPtes(table)[0];
      if (leaf !== undefined) panic(`freewalk: leaf still mapped at va 0x${hex(base + leaf.index * PGSIZE)}`);
      writePte(root + index * PTESIZE, 0); // as xv6 does, though the root goes next
      // Stryker restore all
      kfree(table);
    }
    kfree(root);
  }

  // Stryker disable all: for the panics above
  function hex(va: number): string {
    return va.toString(16).padStart(8, "0");
  }
  // Stryker restore all
  // REFERENCE END
}
