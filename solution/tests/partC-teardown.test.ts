// Part C: tearing down an address space, for exec and exit (src/kernel/uvmfree.ts).
// Run this part alone with `npm test -- partC`.

import { PGSIZE } from "../src/hw/riscv";
import { exec } from "../src/kernel/index";
import { bootMachine, during, exit, fill, forked, frameOf, machine, spawnInit, store, wait } from "./support/harness";

const BSS = 0x15000;
const STACK = 0x7ffff000;
const IMAGE = { text: 4, data: 1, bss: 1, stack: 1 };

test("exit frees every frame of a process that shares nothing, page tables included", () => {
  bootMachine();
  const p = spawnInit();
  expect(fill(p, BSS, 7, PGSIZE)).toComplete();
  expect(store(p, STACK, [1])).toComplete(); // the stack's page has a level-0 table of its own
  exit(p, 0);
  expect(machine.counters()).toHold(
    { framesInUse: 0, pageTableFrames: 0 },
    "After the only process exited",
    "uvmfree() must drop every mapping's reference (uvmunmap(pagetable, va, 1, true)) and then free the page-table pages, root included.",
  );
  expect("kernel").toLeakNothing();
});

test("exec frees the old image's frames and keeps only the new image's", () => {
  bootMachine();
  const p = spawnInit();
  const fresh = machine.counters().framesInUse; // what a freshly loaded image holds
  expect(fill(p, BSS, 7, PGSIZE)).toComplete();
  expect(store(p, STACK, [1])).toComplete();
  expect(exec(p, "init", IMAGE)).toReturn(0, `exec(pid ${p.pid}, "init")`);
  expect(machine.counters()).toHold(
    { framesInUse: fresh },
    "After exec, with only the new image loaded",
    "uvmfree() on the old image must drop each of its mappings' references and free its page-table pages.",
  );
  expect("kernel").toLeakNothing();
});

test("a child's exit drops its references without freeing the frames the parent still maps", () => {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 9, PGSIZE)).toComplete();
  const child = forked(parent);
  exit(child, 3);
  expect(parent).toHaveRefCount(BSS, 1);
  expect(parent).toRead(BSS, [9, 9]);
  expect(wait(parent, null)).toReturn(child, `wait(pid ${parent.pid}) after its child exited`);
  expect("kernel").toLeakNothing();
});

test("after the child execs, the parent's writes fault but copy nothing", () => {
  bootMachine();
  const parent = spawnInit();
  expect(fill(parent, BSS, 1, PGSIZE)).toComplete();
  const frame = frameOf(parent, BSS)!;
  const child = forked(parent);
  expect(exec(child, "init", IMAGE)).toReturn(0, `exec(pid ${child.pid}, "init")`);
  const d = during(() => expect(store(parent, BSS, [2])).toComplete());
  expect(d).toCount(
    { cowFaults: 1, framesCopied: 0 },
    "During the parent's write after its child's exec",
    `The exec dropped the child's reference to frame ${frame} (uvmfree()), so the parent's COW fault finds ` +
      `reference count 1 and reuses the frame (cowfault()).`,
  );
  expect(parent).toMapFrame(
    BSS,
    frame,
    "cowfault(): the parent held the frame's last reference, so its write reuses it",
  );
  expect("kernel").toLeakNothing();
});

test("twenty processes exit one after another within the engine's budget of calls into the kernel", () => {
  bootMachine();
  for (let i = 0; i < 20; i++) {
    const p = spawnInit();
    expect(store(p, STACK, [i])).toComplete(); // a second level-0 table to free
    exit(p, 0);
  }
  expect("kernel").toLeakNothing();
});
