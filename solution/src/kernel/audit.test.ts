// The audit names each kind of broken invariant in a sentence. The broken
// states are built by hand with the kernel's own primitives.
//
// Frame numbers: with no seed, frames come in ascending order, so the first
// spawn of init takes frame 0 (its root), 1 (the first text page), 2 (the
// level-0 table mappages makes for it), 3-5 (the other text pages) and 6
// (the data page, pa 0x6000). The next frame allocated is frame 7.

import { PGSIZE, PTE_COW, PTE_W, PX } from "../hw/riscv";
import { audit, boot } from "./index";
import { kalloc, kfree, krefinc } from "./kalloc";
import { readPte, uvmunmap, walk, writePte } from "./vm";
import { DATA, STACK, forkOk, frameOf, spawnOk, store } from "./test-support";
import { Proc } from "./proc";

/** Rewrites `p`'s PTE for `va` with `change` applied. */
function editPte(p: Proc, va: number, change: (pte: number) => number): void {
  const ptep = walk(p.pagetable!, va, false)!;
  writePte(ptep, change(readPte(ptep)));
}

function initAlone(): Proc {
  boot();
  const p = spawnOk();
  expect(frameOf(p, DATA)).toBe(6 * PGSIZE);
  return p;
}

test("a sound kernel state has no problems", () => {
  initAlone();
  expect(audit()).toEqual([]);
});

test("it reports a frame whose reference count differs from the number of PTEs mapping it", () => {
  const p = initAlone();
  krefinc(frameOf(p, DATA));
  expect(audit()).toEqual(["frame 6 (pa 0x00006000) has reference count 2 but 1 PTE maps it (pid 1 at va 0x00014000)"]);
});

test("it reports a shared frame whose reference count is lower than its sharers", () => {
  const p = initAlone();
  const c = forkOk(p);
  kfree(frameOf(c, DATA)); // as if the child's reference had never been counted
  expect(audit()).toEqual([
    "frame 6 (pa 0x00006000) has reference count 1 but 2 PTEs map it (pid 1 at va 0x00014000, pid 2 at va 0x00014000)",
  ]);
});

test("it reports each writable PTE to a frame that several PTEs share", () => {
  const p = initAlone();
  const c = forkOk(p);
  editPte(c, DATA, (pte) => (pte | PTE_W) & ~PTE_COW); // as if fork had left the child's page writable
  expect(audit()).toEqual([
    "pid 2 can write frame 6 (pa 0x00006000) at va 0x00014000, which 2 PTEs share: " +
      "its stores would change the other processes' memory",
  ]);
});

test("it reports a PTE that is both writable and COW", () => {
  const p = initAlone();
  editPte(p, DATA, (pte) => pte | PTE_COW);
  expect(audit()).toEqual([
    "pid 1's PTE for va 0x00014000 is both writable and marked COW, and a COW page must be read-only: uvmcopy clears PTE_W when it sets PTE_COW, and cowfault clears PTE_COW when it makes the page writable",
  ]);
});

test("it reports a frame that is free but still mapped", () => {
  const p = initAlone();
  kfree(frameOf(p, DATA));
  expect(audit()).toEqual([
    "frame 6 (pa 0x00006000) is free but still mapped (pid 1 at va 0x00014000): a use after free",
  ]);
});

test("it reports an allocated frame that no page table uses", () => {
  initAlone();
  expect(kalloc()).toBe(7 * PGSIZE);
  expect(audit()).toEqual([
    "frame 7 (pa 0x00007000) is allocated (reference count 1) but no page table uses it: a frame leaked",
  ]);
});

test("it reports a page-table page that no page table reaches", () => {
  const p = initAlone();
  // the demand-zero fault takes frame 7 for the page, then mappages takes
  // frame 8 for the stack's level-0 table (VPN[1] = 0x1ff)
  expect(store(p, STACK, [1])).toBe("ok");
  expect(frameOf(p, STACK)).toBe(7 * PGSIZE);
  uvmunmap(p.pagetable!, STACK, 1, true);
  writePte(p.pagetable! + PX(1, STACK) * 4, 0); // forget the table without freeing it
  expect(audit()).toEqual([
    "frame 8 (pa 0x00008000) is allocated (reference count 1) but no page table uses it: a page-table page leaked",
  ]);
});
