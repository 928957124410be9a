// Lab part C: tearing down a user address space (for exec and exit).

import { Pagetable, freewalk, mappedPages, uvmunmap } from "./defs";

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
  // BEGIN SOLUTION
  // starter: Unmap every page mappedPages() lists, dropping its reference
  // starter: (uvmunmap with dofree), then free the page-table pages (freewalk).
  for (const va of mappedPages(pagetable)) uvmunmap(pagetable, va, 1, true);
  freewalk(pagetable);
  // END SOLUTION
}
