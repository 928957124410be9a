// Lab part B: the copy-on-write page-fault handler.

import {
  NotImplemented,
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
  // TODO (part B): write cowfault(). The comment above says what it must do.
  // Find the PTE for va's page and check it is a valid user COW page.
  // If krefcnt() says this is the only reference, make it writable again;
  // otherwise copy the frame, map the copy writable, and kfree() the old one.
  throw new NotImplemented("cowfault: see handout, part B");
}
