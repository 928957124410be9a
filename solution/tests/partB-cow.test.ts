// Part B: the copy-on-write fault handler (src/kernel/cow.ts).
// Run this part alone with `npm test -- partB`.

import { PGSIZE, PTE2PA, PTE_COW, PTE_W } from "../src/hw/riscv";
import { Proc } from "../src/kernel/index";
import { peekPte } from "../src/kernel/inspect";
import { kalloc, krefinc, kfree } from "../src/kernel/kalloc";
import { walk, writePte } from "../src/kernel/vm";
import { sfence_vma } from "../src/kernel/hart";
import { bootMachine, during, fill, forked, frameOf, refsAt, spawnInit, store } from "./support/harness";

const BSS = 0x15000;

// A parent whose bss page holds 0x11 everywhere, and its child.
function family(): { parent: Proc; child: Proc } {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 0x11, PGSIZE)).toComplete();
  return { parent, child: forked(parent) };
}

// Makes p's own writable page at va copy-on-write by hand, as fork would
// (PTE_W cleared, PTE_COW set, the A and D bits kept), so that the handler
// can be tested without part A; returns its frame's address.
function makeCow(p: Proc, va: number): number {
  const ptep = walk(p.pagetable!, va, false)!;
  const pte = peekPte(p.pagetable!, va);
  writePte(ptep, (pte & ~PTE_W) | PTE_COW);
  sfence_vma(va, p.asid);
  return PTE2PA(pte);
}

// A process whose bss page holds 0x22 everywhere and is COW, with one reference.
function cowPage(): Proc {
  bootMachine();
  const p = spawnInit();
  expect(fill(p, BSS, 0x22, PGSIZE)).toComplete();
  makeCow(p, BSS);
  return p;
}

const REUSE = "cowfault(): this mapping held the frame's last reference, so the handler must reuse the frame";

test("a write to a COW page whose frame has one reference makes it writable again without a copy", () => {
  const p = cowPage();
  const frame = frameOf(p, BSS)!;
  const d = during(() => expect(store(p, BSS + 8, [0x33])).toComplete());
  expect(d).toCount(
    { framesCopied: 0 },
    "During a write fault on a COW page with reference count 1",
    "Reuse the frame: set PTE_W and clear PTE_COW, no copy.",
  );
  expect(p).toMapFrame(BSS, frame, REUSE);
  expect(p).toBeWritable(BSS);
  expect(p).toRead(BSS + 7, [0x22, 0x33]);
});

test("a page read before its last sharer writes it can be written after the reuse", () => {
  const p = cowPage();
  expect(p).toRead(BSS, [0x22]); // the TLB now caches the read-only translation, D set: no walk on a store
  expect(store(p, BSS, [0x34])).toComplete();
  expect(p).toRead(BSS, [0x34, 0x22]);
});

test("a write to a COW page whose frame is shared copies it, and drops one reference to the old frame", () => {
  const p = cowPage();
  const old = PTE2PA(peekPte(p.pagetable!, BSS));
  krefinc(old); // pretend another process shares the frame
  expect(store(p, BSS, [0x44])).toComplete();
  expect(p).toHaveCopied(BSS, old);
  expect(p).toBeWritable(BSS);
  expect(p).toRead(BSS, [0x44, 0x22]);
  kfree(old);
});

test("a copy may land in frame 0 like in any other frame", () => {
  bootMachine();
  const frame0 = kalloc()!; // the free pool hands out frame 0 first
  const p = spawnInit();
  expect(fill(p, BSS, 0x22, PGSIZE)).toComplete();
  krefinc(makeCow(p, BSS)); // pretend another process shares the frame
  kfree(frame0); // frame 0 is free again, on top of the pool: the copy takes it
  expect(store(p, BSS, [0x55])).toComplete();
  expect(p).toMapFrame(BSS, 0, "cowfault(): the copy should land in frame 0, the frame kalloc() returned");
  expect(p).toRead(BSS, [0x55, 0x22]);
});

test("after fork, a write by the child changes only the child's copy", () => {
  const { parent, child } = family();
  expect(store(child, BSS + 100, [0xcc])).toComplete();
  expect(child).toRead(BSS + 99, [0x11, 0xcc, 0x11]);
  expect(parent).toRead(BSS + 99, [0x11, 0x11, 0x11]);
  expect(child).toBeWritable(BSS);
  expect(parent).toHaveRefCount(BSS, 1);
  expect("kernel").toLeakNothing();
});

test("after fork, a write by the parent changes only the parent's copy", () => {
  const { parent, child } = family();
  expect(store(parent, BSS, [0xaa])).toComplete();
  expect(parent).toRead(BSS, [0xaa]);
  expect(child).toRead(BSS, [0x11]);
  expect("kernel").toLeakNothing();
});

test("once the other sharer has its own copy, the last one's write reuses the frame", () => {
  const { parent, child } = family();
  const original = frameOf(parent, BSS)!;
  expect(store(child, BSS, [1])).toComplete(); // a copy: the parent still maps the original
  const refs = refsAt(parent, BSS)!; // as the parent's write finds it
  const d = during(() => expect(store(parent, BSS, [2])).toComplete());
  expect(d).toCount(
    { cowFaults: 1, framesCopied: 0 },
    "During the parent's write, after the child's write gave the child its own copy",
    reuseHint(original, refs),
  );
  expect(parent).toMapFrame(BSS, original, REUSE);
  expect(parent).toBeWritable(BSS);
});

// What the parent's write should have done with its frame, which had refs references as the write began.
function reuseHint(frame: number, refs: number): string {
  if (refs === 1)
    return `Frame ${frame} had one reference left, the parent's: reuse it (set PTE_W, clear PTE_COW), no copy.`;
  return (
    `Frame ${frame} had ${refs} references when the parent wrote, though only the parent still maps it: ` +
    "the child's copy never dropped the child's reference to the old frame (cowfault() should kfree() it " +
    "after copying), so the parent's write could not tell it was the last user and copied again."
  );
}

test("the handler fences the old translation: a page read before the write can be written after", () => {
  const { parent } = family();
  expect(parent).toRead(BSS, [0x11]); // the TLB now caches a read-only translation
  expect(store(parent, BSS, [0x55])).toComplete();
  expect(parent).toRead(BSS, [0x55]);
});
