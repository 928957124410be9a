// Lab part C: tearing down a user address space (for exec and exit).

import { NotImplemented, Pagetable, freewalk, mappedPages, uvmunmap } from "./defs";

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
  // TODO (part C): write uvmfree(). The comment above says what it must do.
  // Unmap every page mappedPages() lists, dropping its reference
  // (uvmunmap with dofree), then free the page-table pages (freewalk).
  throw new NotImplemented("uvmfree: see handout, part C");
}
