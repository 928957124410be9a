// Lab part C: tearing down a user address space (for exec and exit).
// Example submission "teardown-leaks-pagetables": teardown unmaps the pages but never frees the page-table pages.

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
  for (const va of mappedPages(pagetable)) uvmunmap(pagetable, va, 1, true);
  // (no freewalk: the root and level-0 page-table pages are never freed)
}
