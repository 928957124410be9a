// Lab part B: the copy-on-write page-fault handler.

import {
  PGROUNDDOWN,
  PGSIZE,
  PA2PTE,
  PTE_COW,
  PTE_FLAGS,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE2PA,
  Pagetable,
  kalloc,
  kfree,
  krefcnt,
  memmove,
  readPte,
  sfence_vma,
  walk,
  writePte,
} from "./defs";

/** What cowfault() did: fixed the page, found no COW page there, or ran out of frames. */
export type CowResult = "ok" | "not-cow" | "out-of-memory";

/**
 * Handles a store page fault at `va` on a page that is present in
 * `pagetable` and marked PTE_COW, in the address space running under ASID
 * `asid`. The trap path calls it for every such fault, from user stores and
 * from copyout alike (a store to a present page that is not COW, such as
 * text, never gets here: it is a real protection fault).
 *
 * When the page is copy-on-write (PTE_COW set), the faulting process gets a
 * writable page with the same contents:
 *  - if its frame has other sharers (reference count above 1), copy the
 *    frame into a new one (kalloc, memmove), map the copy writable and not
 *    COW, and drop this mapping's reference to the old frame (kfree);
 *  - if this mapping is the last reference, just make it writable and
 *    clear PTE_COW: no copy is needed (Linux calls this reuse).
 * Either way the PTE changed, so fence the stale translation of `va`.
 *
 * Returns "ok"; "not-cow" when, after all, there is no valid user COW page
 * at `va` (the process gets SIGSEGV); "out-of-memory" when a copy
 * was needed and kalloc() had no frame (the process gets SIGKILL), leaving
 * the mapping as it was.
 */
export function cowfault(pagetable: Pagetable, va: number, asid: number): CowResult {
  // BEGIN SOLUTION
  // starter: Find the PTE for va's page and check it is a valid user COW page.
  // starter: If krefcnt() says this is the only reference, make it writable again;
  // starter: otherwise copy the frame, map the copy writable, and kfree() the old one.
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
  // END SOLUTION
}
