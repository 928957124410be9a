// Part A: fork's page-table copy (src/kernel/uvmcopy.ts).
// Run this part alone with `npm test -- partA`.

import { PGSIZE } from "../src/hw/riscv";
import { bootMachine, fill, fork, frameOf, load, machine, mappings, spawnInit, store } from "./support/harness";
import { Proc } from "../src/kernel/index";

// The default image: text 0x10000-0x13fff, data 0x14000, bss 0x15000,
// heap from 0x16000, stack page 0x7ffff000.
const TEXT = 0x10000;
const DATA = 0x14000;
const BSS = 0x15000;
const STACK = 0x7ffff000;

function forked(parent: Proc): Proc {
  const child = fork(parent);
  if (child === "ENOMEM") throw new Error("fork returned ENOMEM on a machine with plenty of free frames");
  return child;
}

// A parent that has touched its data, bss and stack pages.
function busyParent(): Proc {
  bootMachine();
  const parent = spawnInit();
  expect(store(parent, DATA, [1])).toBe("ok");
  expect(fill(parent, BSS, 2, PGSIZE)).toBe("ok");
  expect(store(parent, STACK, [3])).toBe("ok");
  return parent;
}

test("fork maps every page of the parent in the child, to the same frames", () => {
  const parent = busyParent();
  const child = forked(parent);
  const parentPages = mappings(parent.pagetable!).map((m) => m.va);
  const childPages = mappings(child.pagetable!).map((m) => m.va);
  expect(childPages).toEqual(parentPages);
  for (const va of parentPages) expect(frameOf(child, va)).toBe(frameOf(parent, va));
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
  const before = machine.counters();
  forked(parent);
  const after = machine.counters();
  expect(after.framesCopied - before.framesCopied).toBe(0);
  // every frame fork allocated holds part of the child's page table
  expect(after.framesAllocated - before.framesAllocated).toBe(after.pageTableFrames - before.pageTableFrames);
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

test("fork fences the parent's TLB, so no writable translation of a shared page survives", () => {
  const parent = busyParent();
  // the parent's store above left a writable translation of BSS in the TLB
  expect(machine.tlbEntries().some((e) => e.asid === parent.asid && e.vpn === BSS / PGSIZE)).toBe(true);
  forked(parent);
  const stale = machine.tlbEntries().find((e) => e.asid === parent.asid && e.vpn === BSS / PGSIZE && e.pte & 0x4);
  if (stale !== undefined) {
    throw new Error(
      `after fork, the TLB still holds a writable translation of 0x${BSS.toString(16)} for the parent (ASID ${parent.asid}): ` +
        `the parent's next store would skip the page fault and change the frame it now shares with the child. ` +
        `Call sfence_vma(null, parentAsid) after changing the parent's PTEs`,
    );
  }
});

test("after fork, a write to text is still a real protection fault: the writer is killed with SIGSEGV", () => {
  const parent = busyParent();
  const child = forked(parent);
  expect(store(child, TEXT + 4, [0xff])).toBe("killed");
  expect(child.killedBy).toBe("SIGSEGV");
  // the parent's text is untouched: each byte holds the low byte of its address
  expect(load(parent, TEXT + 4, 2)).toEqual([4, 5]);
});
