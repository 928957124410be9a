// Part C: tearing down an address space, for exec and exit (src/kernel/uvmfree.ts).
// Run this part alone with `npm test -- partC`.

import { PGSIZE } from "../src/hw/riscv";
import { exec } from "../src/kernel/index";
import { bootMachine, exit, fill, fork, frameOf, load, machine, spawnInit, store, wait } from "./support/harness";

const BSS = 0x15000;
const STACK = 0x7ffff000;
const IMAGE = { text: 4, data: 1, bss: 1, stack: 1 };

test("exit frees every frame of a process that shares nothing, page tables included", () => {
  bootMachine();
  const p = spawnInit();
  expect(fill(p, BSS, 7, PGSIZE)).toBe("ok");
  expect(store(p, STACK, [1])).toBe("ok"); // the stack's page has a level-0 table of its own
  exit(p, 0);
  const c = machine.counters();
  expect(c.framesInUse).toBe(0);
  expect(c.pageTableFrames).toBe(0);
  expect("kernel").toLeakNothing();
});

test("exec frees the old image's frames and keeps only the new image's", () => {
  bootMachine();
  const p = spawnInit();
  const fresh = machine.counters().framesInUse; // what a freshly loaded image holds
  expect(fill(p, BSS, 7, PGSIZE)).toBe("ok");
  expect(store(p, STACK, [1])).toBe("ok");
  expect(exec(p, "init", IMAGE)).toBe(0);
  expect(machine.counters().framesInUse).toBe(fresh);
  expect("kernel").toLeakNothing();
});

test("a child's exit drops its references without freeing the frames the parent still maps", () => {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 9, PGSIZE)).toBe("ok");
  const child = fork(parent);
  if (child === "ENOMEM") throw new Error("fork failed");
  exit(child, 3);
  expect(parent).toHaveRefCount(BSS, 1);
  expect(load(parent, BSS, 2)).toEqual([9, 9]);
  expect(wait(parent, null)).toBe(child);
  expect("kernel").toLeakNothing();
});

test("after the child execs, the parent's writes fault but copy nothing", () => {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 1, PGSIZE)).toBe("ok");
  const frame = frameOf(parent, BSS);
  const child = fork(parent);
  if (child === "ENOMEM") throw new Error("fork failed");
  expect(exec(child, "init", IMAGE)).toBe(0);
  const before = machine.counters();
  expect(store(parent, BSS, [2])).toBe("ok");
  const after = machine.counters();
  expect(after.cowFaults - before.cowFaults).toBe(1);
  expect(after.framesCopied - before.framesCopied).toBe(0);
  expect(frameOf(parent, BSS)).toBe(frame);
  expect("kernel").toLeakNothing();
});

test("twenty processes exit one after another within the engine's budget of calls into the kernel", () => {
  bootMachine();
  for (let i = 0; i < 20; i++) {
    const p = spawnInit();
    expect(store(p, STACK, [i])).toBe("ok"); // a second level-0 table to free
    exit(p, 0);
  }
  expect("kernel").toLeakNothing();
});
