// Part A: fork's page-table copy (src/kernel/uvmcopy.ts).
// Run this part alone with `npm test -- partA`.

import { PGSIZE } from "../src/hw/riscv";
import { Proc } from "../src/kernel/index";
import { kalloc, kfree } from "../src/kernel/kalloc";
import { uvmcopy } from "../src/kernel/uvmcopy";
import { uvmcreate } from "../src/kernel/vm";
import { bootMachine, during, fill, forked, machine, spawnInit, store } from "./support/harness";

// The default image: text 0x10000-0x13fff, data 0x14000, bss 0x15000,
// heap from 0x16000, stack page 0x7ffff000.
const TEXT = 0x10000;
const DATA = 0x14000;
const BSS = 0x15000;
const STACK = 0x7ffff000;

// A parent that has touched its data, bss and stack pages, on a machine of `frames` frames.
function busyParent(frames?: number): Proc {
  bootMachine(frames === undefined ? {} : { frames });
  const parent = spawnInit();
  expect(store(parent, DATA, [1])).toComplete();
  expect(fill(parent, BSS, 2, PGSIZE)).toComplete();
  expect(store(parent, STACK, [3])).toComplete();
  return parent;
}

test("fork maps every page of the parent in the child, to the same frames", () => {
  const parent = busyParent();
  const child = forked(parent);
  expect({ parent, child }).toMapTheSamePages();
});

test("after fork, writable pages are read-only and copy-on-write in both parent and child", () => {
  const parent = busyParent();
  const child = forked(parent);
  for (const va of [DATA, BSS, STACK]) expect({ parent, child }).toShareCopyOnWrite(va);
});

test("after fork, text pages are shared read-only and are not marked COW", () => {
  const parent = busyParent();
  const child = forked(parent);
  for (let va = TEXT; va < DATA; va += PGSIZE) expect({ parent, child }).toShareReadOnly(va);
});

test("fork copies no data: no frame is copied and only page-table pages are allocated", () => {
  const parent = busyParent();
  const d = during(() => forked(parent));
  expect(d).toCount({ framesCopied: 0 }, "During fork", "uvmcopy() maps the parent's frames in the child: no copy.");
  expect(d).toCount(
    { framesAllocated: d.counters.pageTableFrames },
    "During fork",
    `Only the child's ${d.counters.pageTableFrames} page-table pages are new frames (mappages() allocates them): ` +
      `uvmcopy() allocates no frame for data, no kalloc().`,
  );
});

test("each shared frame gains one reference per fork", () => {
  const parent = busyParent();
  forked(parent);
  expect(parent).toHaveRefCount(BSS, 2);
  forked(parent);
  forked(parent);
  expect(parent).toHaveRefCount(BSS, 4);
  expect(parent).toHaveRefCount(TEXT, 4);
  expect("kernel").toLeakNothing();
});

test("a child's own fork shares its pages copy-on-write with the grandchild", () => {
  const parent = busyParent();
  const child = forked(parent);
  const grandchild = forked(child);
  for (const va of [DATA, BSS, STACK]) expect({ parent: child, child: grandchild }).toShareCopyOnWrite(va);
  expect(parent).toHaveRefCount(BSS, 3);
});

test("fork fences the parent's TLB, so no writable translation of a shared page survives", () => {
  const parent = busyParent();
  // the parent's store above left a writable translation of BSS in the TLB
  if (!machine.tlbEntries().some((e) => e.asid === parent.asid && e.vpn === BSS / PGSIZE))
    throw new Error("The machine did not cache the parent's translation of its bss page: this test cannot check fork");
  forked(parent);
  expect(parent).toHaveNoWritableTranslation(BSS);
});

test("after fork, a write to text is still a real protection fault: the writer is killed with SIGSEGV", () => {
  const parent = busyParent();
  const child = forked(parent);
  expect(store(child, TEXT + 4, [0xff])).toBeKilledBy("SIGSEGV");
  // the parent's text is untouched: each byte holds the low byte of its address
  expect(parent).toRead(TEXT + 4, [4, 5]);
});

test("fork shares a page that lives in frame 0 like any other", () => {
  bootMachine();
  const zero = kalloc()!; // the free pool hands out frame 0 first
  const parent = spawnInit();
  kfree(zero); // frame 0 is free again, on top of the pool: the parent's first bss store takes it
  expect(fill(parent, BSS, 0x20, PGSIZE)).toComplete();
  expect(parent).toMapFrame(BSS, 0, "The test's setup wants the bss page in frame 0");
  const child = forked(parent);
  expect({ parent, child }).toShareCopyOnWrite(BSS);
  expect(parent).toHaveRefCount(BSS, 2);
});

test("uvmcopy() that runs out of frames for the child's page tables returns -1 and undoes its work", () => {
  busyParent();
  const need = machine.counters().framesInUse;
  // with 2 frames left: the child's root, then one level-0 table (text to bss); none for the stack's
  const parent = busyParent(need + 2);
  const child = uvmcreate()!;
  const result = uvmcopy(parent.pagetable!, child, parent.asid);
  expect({ parent, child, result }).toUndoTheCopy();
});
