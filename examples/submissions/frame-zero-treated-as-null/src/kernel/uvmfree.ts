// Lab part C: tearing down a user address space (for exec and exit).

import {
  PGSIZE,
  PTESIZE,
  PTE2PA,
  Pagetable,
  isLeaf,
  kfree,
  mappedPages,
  panic,
  uvmunmap,
  validPtes,
  writePte,
} from "./defs";

/**
 * Tears down the user address space `pagetable` (xv6's uvmfree). exec calls
 * it on the old image once the new one is built; exit calls it on the whole
 * process. When it returns:
 *  - every frame the address space mapped has one reference fewer (kfree()
 *    drops one): a frame another process still maps stays allocated, and a
 *    frame whose last reference this was is back in the free pool;
 *  - every page-table page of the address space is free, each level-0
 *    table and the root: nothing may read them afterwards (a freed frame
 *    reads as junk);
 *  - no page-table page was freed while it still mapped a page: finding a
 *    valid leaf in a table about to be freed is a broken kernel invariant
 *    and panics, as xv6's freewalk does ("freewalk: leaf").
 * The mapped pages may sit anywhere below MAXVA, with holes between them,
 * and a level-0 table may map nothing at all (a failed fork or exec leaves
 * such tables). The caller fences the ASID afterwards, so the TLB may still
 * hold translations into the freed frames until then; nothing runs under
 * that ASID in between.
 */
export function uvmfree(pagetable: Pagetable): void {
  // BEGIN SOLUTION
  // starter: Drop the pages' references first, then free the page-table pages:
  // starter: the handout's part C draws the two levels your walk must cover.
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
  // END SOLUTION
}
