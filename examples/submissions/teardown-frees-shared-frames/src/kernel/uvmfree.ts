// Lab part C: tearing down a user address space (for exec and exit).
// Example submission "teardown-frees-shared-frames": teardown frees shared frames outright instead of dropping one reference.

import { PTE2PA, Pagetable, freewalk, kfree, krefcnt, mappedPages, readPte, uvmunmap, walk } from "./defs";

/**
 * Tears down the user address space `pagetable` (xv6's uvmfree): unmaps
 * every mapped page, dropping that mapping's reference to its frame with
 * kfree() (a frame another process still shares stays allocated, one
 * reference lighter; the last reference frees it), and then frees the
 * page-table pages themselves, root included (freewalk).
 *
 * exec calls it for the old image once the new one is built; exit calls it
 * for the whole process. The caller fences the ASID afterwards.
 */
export function uvmfree(pagetable: Pagetable): void {
  // every frame is freed outright, whoever else still maps it
  for (const va of mappedPages(pagetable)) {
    const pa = PTE2PA(readPte(walk(pagetable, va, false)!));
    while (krefcnt(pa) > 0) kfree(pa);
    uvmunmap(pagetable, va, 1, false);
  }
  freewalk(pagetable);
}
