// Part B: the copy-on-write fault handler (src/kernel/cow.ts).
// Run this part alone with `npm test -- partB`.

import { PGSIZE, PA2PTE, PTE_COW, PTE_R, PTE_U, PTE_V } from "../src/hw/riscv";
import { Proc, krefcnt } from "../src/kernel/index";
import { peekPte } from "../src/kernel/inspect";
import { krefinc, kfree } from "../src/kernel/kalloc";
import { walk, writePte } from "../src/kernel/vm";
import { sfence_vma } from "../src/kernel/hart";
import { bootMachine, fill, fork, frameOf, load, machine, spawnInit, store } from "./support/harness";

const BSS = 0x15000;

function forked(parent: Proc): Proc {
  const child = fork(parent);
  if (child === "ENOMEM") throw new Error("fork returned ENOMEM on a machine with plenty of free frames");
  return child;
}

// A parent whose bss page holds 0x11 everywhere, and its child.
function family(): { parent: Proc; child: Proc } {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 0x11, PGSIZE)).toBe("ok");
  return { parent, child: forked(parent) };
}

// Makes p's own writable page at va copy-on-write by hand, as fork would,
// so that the handler can be tested without part A.
function makeCow(p: Proc, va: number): number {
  const ptep = walk(p.pagetable!, va, false)!;
  const pa = PTE2PAof(peekPte(p.pagetable!, va));
  writePte(ptep, PA2PTE(pa) | PTE_R | PTE_U | PTE_V | PTE_COW);
  sfence_vma(va, p.asid);
  return pa;
}

function PTE2PAof(pte: number): number {
  return (pte >>> 10) * PGSIZE;
}

test("a write to a COW page whose frame has one reference makes it writable again without a copy", () => {
  bootMachine();
  const p = spawnInit();
  expect(fill(p, BSS, 0x22, PGSIZE)).toBe("ok");
  const frame = frameOf(p, BSS);
  makeCow(p, BSS);
  const copied = machine.counters().framesCopied;
  expect(store(p, BSS + 8, [0x33])).toBe("ok");
  expect(frameOf(p, BSS)).toBe(frame);
  expect(machine.counters().framesCopied).toBe(copied);
  expect(p).toBeWritable(BSS);
  expect(load(p, BSS + 7, 2)).toEqual([0x22, 0x33]);
});

test("a write to a COW page whose frame is shared copies it, and drops one reference to the old frame", () => {
  bootMachine();
  const p = spawnInit();
  expect(fill(p, BSS, 0x22, PGSIZE)).toBe("ok");
  const old = makeCow(p, BSS);
  krefinc(old); // pretend another process shares the frame
  expect(store(p, BSS, [0x44])).toBe("ok");
  expect(frameOf(p, BSS)).not.toBe(old / PGSIZE);
  expect(krefcnt(old)).toBe(1);
  expect(p).toBeWritable(BSS);
  expect(load(p, BSS, 2)).toEqual([0x44, 0x22]);
  kfree(old);
});

test("after fork, a write by the child changes only the child's copy", () => {
  const { parent, child } = family();
  expect(store(child, BSS + 100, [0xcc])).toBe("ok");
  expect(load(child, BSS + 99, 3)).toEqual([0x11, 0xcc, 0x11]);
  expect(load(parent, BSS + 99, 3)).toEqual([0x11, 0x11, 0x11]);
  expect(frameOf(child, BSS)).not.toBe(frameOf(parent, BSS));
  expect(child).toBeWritable(BSS);
  expect(parent).toHaveRefCount(BSS, 1);
  expect("kernel").toLeakNothing();
});

test("after fork, a write by the parent changes only the parent's copy", () => {
  const { parent, child } = family();
  expect(store(parent, BSS, [0xaa])).toBe("ok");
  expect(load(parent, BSS, 1)).toEqual([0xaa]);
  expect(load(child, BSS, 1)).toEqual([0x11]);
  expect("kernel").toLeakNothing();
});

test("once the other sharer has its own copy, the last one's write reuses the frame", () => {
  const { parent, child } = family();
  const original = frameOf(parent, BSS);
  expect(store(child, BSS, [1])).toBe("ok"); // copy
  const copies = machine.counters().framesCopied;
  expect(store(parent, BSS, [2])).toBe("ok"); // reuse: the parent holds the last reference
  expect(machine.counters().framesCopied).toBe(copies);
  expect(frameOf(parent, BSS)).toBe(original);
  expect(parent).toBeWritable(BSS);
});

test("the handler fences the old translation: a page read before the write can be written after", () => {
  const { parent } = family();
  expect(load(parent, BSS, 1)).toEqual([0x11]); // the TLB now caches a read-only translation
  const result = store(parent, BSS, [0x55]);
  if (result !== "ok") {
    throw new Error(
      `the parent was killed by ${parent.killedBy} when it wrote a COW page it had just read: after the handler ` +
        `changed the PTE, the TLB still served the old read-only translation. Call sfence_vma(va, asid) after changing the PTE`,
    );
  }
  expect(load(parent, BSS, 1)).toEqual([0x55]);
});
