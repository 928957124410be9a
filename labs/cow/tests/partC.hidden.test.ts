// Hidden tests, part C: tearing down an address space, for exec and exit
// (src/kernel/uvmfree.ts). The student's uvmfree() runs with the reference
// uvmcopy() and cowfault(); the kernel audit runs after every test
// (support/suite.ts).

import { PGSIZE } from "@lab/hw/riscv";
import { Image, Proc, alive, allprocs, audit, exec, exit, fork, kfreecount, krefcnt, wait } from "@lab/kernel/index";
import {
  BSS,
  DATA,
  HEAP,
  INIT,
  SPAWN_FRAMES,
  STACK,
  TEXT,
  bootMachine,
  counters,
  delta,
  fill,
  forkOk,
  frameOf,
  hex,
  load,
  pagesOf,
  refs,
  sbrkOk,
  spawnOk,
  store,
} from "./support/kernel";
import { gradesPart } from "./support/suite";

gradesPart("C");

/** An image with `bss` pages of bss and otherwise init's. */
function withBss(bss: number): Image {
  return { text: 4, data: 1, bss, stack: 1 };
}

/** exec() that must succeed. */
function execOk(p: Proc, name: string, image: Image): void {
  expect({ exec: name, result: exec(p, name, image) }).toEqual({ exec: name, result: 0 });
}

test("C1 exit frees every frame of a process, page tables included", () => {
  bootMachine({ frames: 64 });
  const p = spawnOk();
  expect(sbrkOk(p, 2 * PGSIZE)).toBe(HEAP);
  for (const va of [BSS, HEAP, HEAP + PGSIZE, STACK]) expect(store(p, va, [1])).toBe("ok");
  // spawn's 7, four touched pages and the stack's level-0 table
  expect(counters().framesInUse).toBe(SPAWN_FRAMES + 5);
  exit(p, 0);
  const c = counters();
  expect({ framesInUse: c.framesInUse, pageTableFrames: c.pageTableFrames, free: kfreecount() }).toEqual({
    framesInUse: 0,
    pageTableFrames: 0,
    free: 64,
  });
});

test("C2 a child's exit drops its references but frees none of the frames its parent still maps", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 9, PGSIZE)).toBe("ok");
  expect(store(p, STACK, [5])).toBe("ok");
  const c = forkOk(p);
  const d = delta(() => exit(c, 3));
  expect(d.framesFreed).toBe(3); // only the child's page tables: its root and two level-0 tables
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 1 });
  expect([load(p, BSS, 2), load(p, STACK, 1), load(p, TEXT + 2, 1)]).toEqual([[9, 9], [5], [2]]);
  expect(wait(p, null)).toBe(c);
  expect(c.xstate).toBe(3);
});

test("C3 a parent that exits first leaves its child every page it shared", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x21, PGSIZE)).toBe("ok");
  const c = forkOk(p);
  exit(p, 0);
  for (const va of pagesOf(c)) expect({ va: hex(va), refs: refs(frameOf(c, va)) }).toEqual({ va: hex(va), refs: 1 });
  expect([load(c, BSS, 2), load(c, DATA, 2)]).toEqual([
    [0x21, 0x21],
    [0x00, 0x01],
  ]);
  const d = delta(() => expect(store(c, BSS, [1])).toBe("ok"));
  expect({ cowReuses: d.cowReuses, cowCopies: d.cowCopies }).toEqual({ cowReuses: 1, cowCopies: 0 });
  exit(c, 0);
  expect(counters().framesInUse).toBe(0);
});

test("C4 three sharers exit in every order; the last exit frees the shared frames", () => {
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  for (const order of orders) {
    bootMachine();
    const p = spawnOk();
    expect(fill(p, BSS, 0x31, PGSIZE)).toBe("ok");
    const c1 = forkOk(p);
    expect(store(c1, DATA, [0xc1])).toBe("ok"); // c1's own copy of the data page
    const c2 = forkOk(c1); // a grandchild: shares the bss page with both, the data page with c1
    const procs = [p, c1, c2];
    const bssFrame = frameOf(p, BSS);
    order.forEach((who, k) => {
      exit(procs[who]!, 0);
      const left = procs.filter((q) => alive(q));
      expect({ order, exited: k + 1, refs: krefcnt(bssFrame! * PGSIZE) }).toEqual({
        order,
        exited: k + 1,
        refs: left.length,
      });
      for (const q of left) {
        expect({ order, pid: q.pid, bss: load(q, BSS, 1), data: load(q, DATA, 1) }).toEqual({
          order,
          pid: q.pid,
          bss: [0x31],
          data: [q === p ? 0x00 : 0xc1],
        });
      }
      expect({ order, exited: k + 1, audit: audit() }).toEqual({ order, exited: k + 1, audit: [] });
    });
    expect({ order, framesInUse: counters().framesInUse }).toEqual({ order, framesInUse: 0 });
  }
});

test("C5 exec frees the old image and keeps only the new one", () => {
  bootMachine();
  const p = spawnOk();
  expect(sbrkOk(p, PGSIZE)).toBe(HEAP);
  for (const va of [BSS, HEAP, STACK]) expect(store(p, va, [1])).toBe("ok");
  const big: Image = { text: 6, data: 2, bss: 3, stack: 2 };
  execOk(p, "big", big);
  // a root, one level-0 table, 6 text and 2 data pages: nothing of init is left
  expect(counters().framesInUse).toBe(2 + 6 + 2);
  expect(counters().pageTableFrames).toBe(2);
  const bss = TEXT + 8 * PGSIZE; // after big's 6 text and 2 data pages
  expect([load(p, TEXT + 5 * PGSIZE + 9, 1), load(p, bss, 1), load(p, bss + 2 * PGSIZE, 1)]).toEqual([[9], [0], [0]]);
});

test("C6 exec after fork: the child's exec drops its references, copies nothing, and the parent's writes reuse", () => {
  bootMachine();
  const p = spawnOk(withBss(4));
  expect(fill(p, BSS, 0x99, 4 * PGSIZE)).toBe("ok");
  const c = forkOk(p);
  const d = delta(() => execOk(c, "init", INIT));
  expect(d.framesCopied).toBe(0);
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 1 });
  const d2 = delta(() => expect(fill(p, BSS, 0x98, 4 * PGSIZE)).toBe("ok"));
  expect({ cowFaults: d2.cowFaults, cowReuses: d2.cowReuses, cowCopies: d2.cowCopies }).toEqual({
    cowFaults: 4,
    cowReuses: 4,
    cowCopies: 0,
  });
  // the child runs its new image: bss zero-filled on demand, data as loaded
  expect([load(c, BSS, 1), load(c, DATA + 3, 1)]).toEqual([[0], [3]]);
  expect(store(c, BSS, [1])).toBe("ok");
  expect(counters().framesCopied).toBe(0);
});

test("C7 a process killed by SIGSEGV releases its memory and leaves its sharers' frames", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x17, PGSIZE)).toBe("ok");
  const c = forkOk(p);
  expect(store(c, BSS, [1])).toBe("ok"); // the child's own copy
  const d = delta(() => expect(store(c, 0, [1])).toBe("killed"));
  expect(c.killedBy).toBe("SIGSEGV");
  expect(d.framesFreed).toBe(3); // its copy, its root and its level-0 table
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 1 });
  expect(load(p, BSS, 2)).toEqual([0x17, 0x17]);
});

test("C8 teardown frees pages spread over three page-table pages, holes and all", () => {
  bootMachine();
  const p = spawnOk();
  expect(sbrkOk(p, 6 * 1024 * 1024)).toBe(HEAP);
  const far = HEAP + 0x400000; // VPN[1] = 1: a level-0 table of its own
  for (const va of [HEAP, HEAP + 5 * PGSIZE, far, far + 0xff000, STACK]) expect(store(p, va, [1])).toBe("ok");
  expect(counters().pageTableFrames).toBe(4); // the root and the tables for VPN[1] = 0, 1 and 0x1ff
  exit(p, 0);
  expect([counters().framesInUse, counters().pageTableFrames]).toEqual([0, 0]);
});

test("C9 a failed exec frees the half-built image and leaves the old one running", () => {
  // 16 frames: init and a bss page take 8; the new image would need a
  // root, a level-0 table and 13 pages: it runs out after a few of them
  bootMachine({ frames: 16 });
  const p = spawnOk();
  expect(store(p, BSS, [0x42])).toBe("ok");
  const pages = pagesOf(p).map((va) => [hex(va), frameOf(p, va)]);
  expect(exec(p, "huge", { text: 12, data: 1, bss: 1, stack: 1 })).toBe("ENOMEM");
  expect([counters().framesInUse, kfreecount()]).toEqual([8, 8]);
  expect(pagesOf(p).map((va) => [hex(va), frameOf(p, va)])).toEqual(pages);
  expect([load(p, BSS, 1), load(p, TEXT + 0x3ff, 1)]).toEqual([[0x42], [0xff]]);
  expect(store(p, DATA, [1])).toBe("ok");
  // and with the memory back, a smaller exec works
  execOk(p, "init", INIT);
  expect(counters().framesInUse).toBe(SPAWN_FRAMES);
});

test("C10 a fork that fails for want of frames frees the child's half-built page table", () => {
  // The parent holds 9 frames (spawn's 7, a stack page and its table). With
  // 10 frames the child gets its root and nothing more; with 11, its root and
  // the text's level-0 table, and uvmcopy fails on the stack's.
  for (const frames of [10, 11]) {
    bootMachine({ frames });
    const p = spawnOk();
    expect(store(p, STACK, [0x51])).toBe("ok");
    expect({ frames, fork: fork(p) }).toEqual({ frames, fork: "ENOMEM" });
    expect({ frames, framesInUse: counters().framesInUse, pageTableFrames: counters().pageTableFrames }).toEqual({
      frames,
      framesInUse: 9,
      pageTableFrames: 3,
    });
    expect({ frames, audit: audit() }).toEqual({ frames, audit: [] });
    expect(allprocs().map((x) => x.pid)).toEqual([p.pid]);
    expect(load(p, STACK, 1)).toEqual([0x51]);
  }
});

test("C11 twenty children exit one by one, each dropping one reference; the parent's exit frees the rest", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x5a, PGSIZE)).toBe("ok");
  const kids = Array.from({ length: 20 }, () => forkOk(p));
  const frame = frameOf(p, BSS);
  kids.forEach((k, i) => {
    const d = delta(() => exit(k, i));
    // each child frees only its root and its level-0 table (the stack was never touched)
    expect({ child: i, framesFreed: d.framesFreed, refs: refs(frame) }).toEqual({
      child: i,
      framesFreed: 2,
      refs: 20 - i,
    });
  });
  for (const k of kids) expect(wait(p, null)).toBe(k); // reaped in pid order
  const d = delta(() => exit(p, 0));
  expect(d.framesFreed).toBe(SPAWN_FRAMES + 1); // spawn's 7 and the bss page
  expect(counters().framesInUse).toBe(0);
});

test("C12 exit frees frame 0 and the last frame like any other", () => {
  // 10 frames shuffled by seed 64: init, a bss page and a stack page with
  // its table fill the whole machine; the bss page lands in frame 0 and the
  // stack page in frame 9, the last.
  bootMachine({ frames: 10, seed: 64 });
  const p = spawnOk();
  expect(store(p, BSS, [1])).toBe("ok");
  expect(store(p, STACK, [2])).toBe("ok");
  expect([frameOf(p, BSS), frameOf(p, STACK), kfreecount()]).toEqual([0, 9, 0]);
  exit(p, 0);
  expect([counters().framesInUse, kfreecount()]).toEqual([0, 10]);
  // the machine is whole again: a new process can use every frame
  const q = spawnOk();
  expect(store(q, BSS, [3])).toBe("ok");
  expect(store(q, STACK, [4])).toBe("ok");
  expect(kfreecount()).toBe(0);
});

test("C13 exits drop references, so a survivor's writes copy nothing", () => {
  bootMachine();
  const p = spawnOk(withBss(8));
  expect(fill(p, BSS, 0x12, 8 * PGSIZE)).toBe("ok");
  const kids = [forkOk(p), forkOk(p), forkOk(p)];
  for (const k of kids) exit(k, 0);
  const d = delta(() => expect(fill(p, BSS, 0x13, 8 * PGSIZE)).toBe("ok"));
  expect({ cowCopies: d.cowCopies, cowReuses: d.cowReuses, framesAllocated: d.framesAllocated }).toEqual({
    cowCopies: 0,
    cowReuses: 8,
    framesAllocated: 0,
  });
});

test("C14 fifty rounds of spawn, fork, write and exit on a small machine leak nothing", () => {
  // each round needs 14 of the 16 frames: init (7), a bss page, a stack page
  // and its table (3), the child's page tables (3) and the child's copy (1)
  bootMachine({ frames: 16 });
  for (let round = 0; round < 50; round++) {
    const p = spawnOk();
    expect(store(p, BSS, [round])).toBe("ok");
    expect(store(p, STACK, [round])).toBe("ok");
    const c = forkOk(p);
    expect(store(c, BSS, [0xff])).toBe("ok");
    exit(round % 2 === 0 ? p : c, 0);
    expect({ round, audit: audit() }).toEqual({ round, audit: [] }); // the survivor's frames are intact
    exit(round % 2 === 0 ? c : p, 0);
    expect({ round, framesInUse: counters().framesInUse }).toEqual({ round, framesInUse: 0 });
  }
});

test("C15 exec in a child that wrote private copies frees those copies and keeps the parent's frames", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x61, PGSIZE)).toBe("ok");
  const c = forkOk(p);
  expect(store(c, BSS, [1])).toBe("ok");
  expect(store(c, STACK, [2])).toBe("ok");
  const copies = [frameOf(c, BSS)!, frameOf(c, STACK)!];
  execOk(c, "init", INIT);
  expect(copies.map((f) => krefcnt(f * PGSIZE))).toEqual([0, 0]);
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 1 });
  expect(load(p, BSS, 1)).toEqual([0x61]);
  // parent: init's 7 and bss; child: a fresh init
  expect(counters().framesInUse).toBe(SPAWN_FRAMES + 1 + SPAWN_FRAMES);
});

test("C16 a grandchild outlives its parent and grandparent with every byte intact", () => {
  bootMachine();
  const a = spawnOk();
  expect(fill(a, BSS, 0x70, PGSIZE)).toBe("ok");
  expect(store(a, STACK, [0x71])).toBe("ok");
  const b = forkOk(a);
  expect(store(b, DATA, [0x72])).toBe("ok"); // b's own data page, which c will share
  const c = forkOk(b);
  exit(a, 0);
  exit(b, 0);
  expect([load(c, BSS, 1), load(c, STACK, 1), load(c, DATA, 2), load(c, TEXT + 0x2001, 1)]).toEqual([
    [0x70],
    [0x71],
    [0x72, 0x01],
    [0x01],
  ]);
  for (const va of pagesOf(c)) expect({ va: hex(va), refs: refs(frameOf(c, va)) }).toEqual({ va: hex(va), refs: 1 });
  const d = delta(() => {
    expect(store(c, BSS, [1])).toBe("ok");
    expect(store(c, STACK, [1])).toBe("ok");
    expect(store(c, DATA, [1])).toBe("ok");
  });
  expect(d.cowCopies).toBe(0);
  exit(c, 0);
  expect(counters().framesInUse).toBe(0);
});
