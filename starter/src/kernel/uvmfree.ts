// Lab part C: tearing down a user address space (for exec and exit).

import {
  NotImplemented,
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
  // TODO (part C): write uvmfree(). The comment above says what it must do.
  // Drop the pages' references first, then free the page-table pages:
  // the handout's part C draws the two levels your walk must cover.
  throw new NotImplemented("uvmfree: see handout, part C");
}
