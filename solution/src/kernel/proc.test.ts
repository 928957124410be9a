// Processes: exit frees everything at once, wait reaps and stores the
// status through copyout, figures freeze at exit, sbrk moves the break.

import { PGSIZE } from "../hw/riscv";
import { Proc, audit, boot, exit, krefcnt, resident, sbrk, wait } from "./index";
import { BSS, DATA, HEAP, STACK, TEXT, forkOk, frameOf, load, spawnOk, store } from "./test-support";

test("exit() frees every frame of the process at once, page tables included, and keeps its status", () => {
  const m = boot();
  const p = spawnOk();
  expect(sbrk(p, PGSIZE)).toBe(HEAP);
  for (const va of [BSS, HEAP, STACK]) expect(store(p, va, [1])).toBe("ok");
  expect(m.counters().framesInUse).toBe(11); // init's 7, three touched pages, the stack's level-0 table

  exit(p, 3);
  expect(p.state).toBe("exited");
  expect(p.xstate).toBe(3);
  expect(p.killedBy).toBeNull();
  expect(p.pagetable).toBeNull();
  expect(m.counters().framesInUse).toBe(0);
  expect(m.counters().pageTableFrames).toBe(0);
  expect(audit()).toEqual([]);
});

test("exit() of a process that shares frames frees only its own and leaves the others one reference lighter", () => {
  const m = boot();
  const p = spawnOk();
  const c = forkOk(p);
  expect(store(c, DATA, [5])).toBe("ok"); // c's private copy
  const copy = frameOf(c, DATA);
  const text = frameOf(p, TEXT);
  expect(krefcnt(text)).toBe(2);

  exit(c, 0);
  expect(krefcnt(copy)).toBe(0);
  expect(krefcnt(text)).toBe(1);
  expect(m.counters().framesInUse).toBe(7); // p's image as spawned
  expect(load(p, DATA, 1)).toEqual([0]);
  expect(audit()).toEqual([]);
});

test("wait() reaps the exited child with the lowest pid, whatever order they exited in", () => {
  boot();
  const p = spawnOk();
  const [b, c, d] = [forkOk(p), forkOk(p), forkOk(p)];
  expect([b.pid, c.pid, d.pid]).toEqual([2, 3, 4]);
  exit(d, 4);
  exit(b, 2);
  expect(wait(p, null)).toBe(b);
  expect(wait(p, null)).toBe(d);
  expect(wait(p, null)).toBe("ECHILD"); // c is still running
  exit(c, 3);
  expect(wait(p, null)).toBe(c);
  expect(wait(p, null)).toBe("ECHILD");
  expect([b, c, d].map((x) => x.reaped)).toEqual([true, true, true]);
});

describe("wait() with a status address", () => {
  // p's bss page is shared three ways (p, b, c) before b exits.
  function family(): { m: ReturnType<typeof boot>; p: Proc; b: Proc; c: Proc } {
    const m = boot();
    const p = spawnOk();
    expect(store(p, BSS, [0x11])).toBe("ok");
    const b = forkOk(p);
    const c = forkOk(p);
    return { m, p, b, c };
  }

  test("stores the exit status as a 32-bit little-endian word through copyout, breaking COW for the waiter", () => {
    const { m, p, b, c } = family();
    exit(b, 0x01020304);
    const before = m.counters();
    const faults = p.minorFaults;
    expect(wait(p, BSS + 8)).toBe(b);

    const after = m.counters();
    expect(load(p, BSS + 8, 4)).toEqual([4, 3, 2, 1]);
    expect(after.cowFaults - before.cowFaults).toBe(1);
    expect(after.cowCopies - before.cowCopies).toBe(1); // c still shares the frame
    expect(p.minorFaults).toBe(faults + 1);
    expect(c.minorFaults).toBe(0);
    expect(load(c, BSS, 12)).toEqual([0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("stores -1 (0xffffffff) for a killed child", () => {
    const { p, c } = family();
    expect(store(c, TEXT, [0])).toBe("killed");
    expect(wait(p, BSS + 4)).toBe(c);
    expect(load(p, BSS + 4, 4)).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  test("answers EFAULT for an address the waiter cannot write, and leaves the child to a later wait", () => {
    const { m, p, b } = family();
    exit(b, 7);
    expect(wait(p, TEXT)).toBe("EFAULT");
    expect(p.state).toBe("running");
    expect(m.counters().segfaults).toBe(0);
    expect(b.reaped).toBe(false);
    expect(wait(p, null)).toBe(b);
  });
});

test("a process's figures freeze when it exits, while the others' go on changing", () => {
  boot();
  const p = spawnOk();
  expect(store(p, BSS, [1])).toBe("ok");
  const c = forkOk(p);
  expect(store(c, DATA, [2])).toBe("ok");
  const frozen = { rssPages: 6, sharedPages: 5, privatePages: 1 };
  expect(resident(c)).toEqual(frozen);

  exit(c, 0);
  expect(resident(c)).toEqual(frozen);
  expect(resident(p)).toEqual({ rssPages: 6, sharedPages: 0, privatePages: 6 });
  expect(store(p, STACK, [3])).toBe("ok");
  expect(resident(p).rssPages).toBe(7);
  expect(resident(c)).toEqual(frozen);
  expect(c.minorFaults).toBe(1);
});

test("sbrk() moves the break and returns the old one, mapping nothing until the pages are touched", () => {
  const m = boot();
  const p = spawnOk();
  const allocated = m.counters().framesAllocated;
  expect(sbrk(p, 10)).toBe(HEAP);
  expect(sbrk(p, 3 * PGSIZE)).toBe(HEAP + 10);
  expect(p.brk).toBe(HEAP + 10 + 3 * PGSIZE);
  expect(m.counters().framesAllocated).toBe(allocated);
  // the break is not page-aligned: the page it falls in is heap, the next one is not
  expect(store(p, HEAP + 3 * PGSIZE + 20, [1])).toBe("ok");
  expect(store(p, HEAP + 4 * PGSIZE, [1])).toBe("killed");
});

test("sbrk() answers ENOMEM below the heap's start and past the page below the stack, changing nothing", () => {
  boot();
  const p = spawnOk();
  expect(sbrk(p, -1)).toBe("ENOMEM");
  // the highest break is one guard page below the stack
  expect(sbrk(p, STACK - PGSIZE - HEAP + 1)).toBe("ENOMEM");
  expect(p.brk).toBe(HEAP);
  expect(sbrk(p, STACK - PGSIZE - HEAP)).toBe(HEAP);
});

test("sbrk() shrinking unmaps the touched pages above the new break and frees their frames", () => {
  const m = boot();
  const p = spawnOk();
  sbrk(p, 3 * PGSIZE);
  for (let i = 0; i < 3; i++) expect(store(p, HEAP + i * PGSIZE, [1])).toBe("ok");
  const inUse = m.counters().framesInUse;
  expect(sbrk(p, -2 * PGSIZE)).toBe(HEAP + 3 * PGSIZE);
  expect(m.counters().framesInUse).toBe(inUse - 2);
  expect(load(p, HEAP, 1)).toEqual([1]);
  expect(load(p, HEAP + PGSIZE, 1)).toBe("killed");
  expect(audit()).toEqual([]);
});
