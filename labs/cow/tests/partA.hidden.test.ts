// Hidden tests, part A: fork's page-table copy (src/kernel/uvmcopy.ts).
// The student's uvmcopy() runs with the reference cowfault() and uvmfree();
// the kernel audit runs after every test (support/suite.ts).

import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "@lab/hw/riscv";
import { Proc, alive, allprocs, audit, exit, fork, kfreecount } from "@lab/kernel/index";
import { uvmcopy } from "@lab/kernel/uvmcopy";
import { uvmfree } from "@lab/kernel/uvmfree";
import { mappedPages, uvmcreate } from "@lab/kernel/vm";
import {
  BSS,
  DATA,
  HEAP,
  STACK,
  TEXT,
  TEXT_PAGES,
  bootMachine,
  counters,
  delta,
  fill,
  forkOk,
  frameOf,
  hex,
  load,
  pagesOf,
  pteOf,
  refs,
  sbrkOk,
  spawnOk,
  store,
} from "./support/kernel";
import { gradesPart } from "./support/suite";

gradesPart("A");

const PERM = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW;

// A parent with every kind of page present: init's 4 text and 1 data pages,
// and one stored-to page each of bss, heap (2 pages of break, the first
// touched) and stack: 8 pages. Each store leaves a writable, dirty
// translation in the TLB under the parent's ASID.
const STORES: readonly (readonly [number, number])[] = [
  [DATA + 1, 0xd1],
  [BSS + 2, 0xb2],
  [HEAP + 3, 0x43],
  [STACK + 4, 0x54],
];
const PRESENT = [...TEXT_PAGES, DATA, BSS, HEAP, STACK];
const WRITABLE = [DATA, BSS, HEAP, STACK];

function busyParent(): Proc {
  const p = spawnOk();
  expect(sbrkOk(p, 2 * PGSIZE)).toBe(HEAP);
  for (const [va, byte] of STORES) expect(store(p, va, [byte])).toBe("ok");
  return p;
}

test("A1 fork shares every present page with the child", () => {
  bootMachine();
  const p = busyParent();
  const c = forkOk(p);
  expect(pagesOf(p).map(hex)).toEqual(PRESENT.map(hex));
  expect(pagesOf(c).map(hex)).toEqual(PRESENT.map(hex));
  for (const va of PRESENT)
    expect({ va: hex(va), frame: frameOf(c, va) }).toEqual({ va: hex(va), frame: frameOf(p, va) });
  expect(c.brk).toBe(p.brk);
  // the child reads what the parent wrote, and the text the parent runs
  for (const [va, byte] of STORES) expect(load(c, va, 1)).toEqual([byte]);
  expect(load(c, TEXT + 0x1234, 2)).toEqual([0x34, 0x35]); // text bytes are the low byte of their address
});

test("A2 fork makes every writable page read-only and copy-on-write in both processes", () => {
  bootMachine();
  const p = busyParent();
  const c = forkOk(p);
  for (const [who, proc] of [
    ["parent", p],
    ["child", c],
  ] as const) {
    for (const va of WRITABLE) {
      // R and U stay, W goes, COW comes; never executable
      expect({ who, va: hex(va), perm: pteOf(proc, va) & PERM }).toEqual({
        who,
        va: hex(va),
        perm: PTE_V | PTE_R | PTE_U | PTE_COW,
      });
    }
  }
});

test("A3 fork shares text read-only and never marks it copy-on-write", () => {
  bootMachine();
  const p = busyParent();
  const c = forkOk(p);
  for (const proc of [p, c]) {
    for (const va of TEXT_PAGES) {
      expect({ pid: proc.pid, va: hex(va), perm: pteOf(proc, va) & PERM }).toEqual({
        pid: proc.pid,
        va: hex(va),
        perm: PTE_V | PTE_R | PTE_X | PTE_U,
      });
    }
  }
});

test("A4 after fork, a write to text, an access to page 0 or outside every region kills the child with SIGSEGV", () => {
  bootMachine();
  const p = busyParent(); // its break is HEAP + 2 pages; its stack is the one page at STACK
  const cases: [string, number, "read" | "write"][] = [
    ["a write to text", TEXT + 5, "write"],
    ["a write at address 0", 0, "write"],
    ["a read at address 0", 0, "read"],
    ["a read outside every region", 0x40000000, "read"],
    ["a write just above the break", HEAP + 2 * PGSIZE, "write"],
    ["a read just below the stack", STACK - 1, "read"],
  ];
  for (const [what, va, access] of cases) {
    const c = forkOk(p);
    const d = delta(() => {
      const r = access === "read" ? load(c, va, 1) : store(c, va, [0xee]);
      expect({ what, r, killedBy: c.killedBy }).toEqual({ what, r: "killed", killedBy: "SIGSEGV" });
    });
    expect({ what, segfaults: d.segfaults, cowFaults: d.cowFaults, framesCopied: d.framesCopied }).toEqual({
      what,
      segfaults: 1,
      cowFaults: 0,
      framesCopied: 0,
    });
    // the dead child's references are gone; the parent's memory is as it was
    for (const va of PRESENT)
      expect({ what, va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ what, va: hex(va), refs: 1 });
    expect({ what, text: load(p, TEXT + 4, 3) }).toEqual({ what, text: [4, 5, 6] });
  }
  expect(store(p, TEXT + 1, [0xee])).toBe("killed");
  expect(p.killedBy).toBe("SIGSEGV");
});

test("A5 each fork adds exactly one reference to every shared frame, text included", () => {
  bootMachine();
  const p = busyParent();
  const kids = [forkOk(p), forkOk(p), forkOk(p)];
  for (const va of PRESENT) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 4 });
  const grandchild = forkOk(kids[1]!);
  for (const va of PRESENT)
    expect({ va: hex(va), refs: refs(frameOf(grandchild, va)) }).toEqual({ va: hex(va), refs: 5 });
  exit(kids[0]!, 0);
  for (const va of PRESENT) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 4 });
});

test("A6 fork copies no frame and allocates only the child's page-table pages", () => {
  bootMachine();
  const p = busyParent();
  const d = delta(() => forkOk(p));
  // the child's root, its level-0 table for VPN[1] = 0 (text to heap) and
  // the one for VPN[1] = 0x1ff (the stack): 3 frames, each zeroed by kalloc
  expect({
    framesCopied: d.framesCopied,
    framesAllocated: d.framesAllocated,
    pageTableFrames: d.pageTableFrames,
    framesZeroed: d.framesZeroed,
    pageFaults: d.pageFaults,
  }).toEqual({ framesCopied: 0, framesAllocated: 3, pageTableFrames: 3, framesZeroed: 3, pageFaults: 0 });
});

test("A7 fork fences the parent's stale writable translations", () => {
  bootMachine();
  const p = busyParent(); // its stores left writable translations of the four pages in the TLB
  const c = forkOk(p);
  const d = delta(() => {
    for (const [va, byte] of STORES) expect(store(p, va, [byte ^ 0xff])).toBe("ok");
  });
  // each store must fault (the PTE is read-only now) and get the parent a copy
  expect({ cowFaults: d.cowFaults, cowCopies: d.cowCopies }).toEqual({ cowFaults: 4, cowCopies: 4 });
  for (const [va, byte] of STORES) {
    expect({ va: hex(va), child: load(c, va, 1) }).toEqual({ va: hex(va), child: [byte] });
    expect({ va: hex(va), parent: load(p, va, 1) }).toEqual({ va: hex(va), parent: [byte ^ 0xff] });
  }
});

test("A8 a child forked from a child shares its copy-on-write pages copy-on-write too", () => {
  bootMachine();
  const a = spawnOk();
  expect(store(a, DATA, [1])).toBe("ok");
  const b = forkOk(a);
  const c = forkOk(b); // b's data page is already read-only and COW: c must get it COW as well
  for (const proc of [a, b, c]) {
    expect({ pid: proc.pid, perm: pteOf(proc, DATA) & PERM }).toEqual({
      pid: proc.pid,
      perm: PTE_V | PTE_R | PTE_U | PTE_COW,
    });
  }
  expect(refs(frameOf(c, DATA))).toBe(3);
  expect(store(c, DATA, [3])).toBe("ok");
  expect(store(b, DATA, [2])).toBe("ok");
  expect([load(a, DATA, 1), load(b, DATA, 1), load(c, DATA, 1)]).toEqual([[1], [2], [3]]);
});

test("A9 fork of a process whose heap was never touched maps no heap page", () => {
  bootMachine();
  const p = spawnOk();
  expect(sbrkOk(p, 3 * PGSIZE)).toBe(HEAP); // three pages of heap, none touched: nothing mapped
  let c: Proc | null = null;
  const d = delta(() => {
    c = forkOk(p);
  });
  const child = c as unknown as Proc;
  expect(pagesOf(child).map(hex)).toEqual([...TEXT_PAGES, DATA].map(hex));
  expect(child.brk).toBe(HEAP + 3 * PGSIZE);
  // the child's root and one level-0 table (text to heap); no stack page, so no second table
  expect(d.framesAllocated).toBe(2);
  const last = HEAP + 2 * PGSIZE;
  const d2 = delta(() => {
    expect(load(child, last + 8, 1)).toEqual([0]);
    expect(store(p, last + 8, [7])).toBe("ok");
  });
  expect({ demandZeroFaults: d2.demandZeroFaults, cowFaults: d2.cowFaults }).toEqual({
    demandZeroFaults: 2,
    cowFaults: 0,
  });
  expect(frameOf(child, last)).not.toBe(frameOf(p, last));
  expect([load(child, last + 8, 1), load(p, last + 8, 1)]).toEqual([[0], [7]]);
});

test("A10 a fork that runs out of frames fails with ENOMEM, leaves the parent intact and leaks nothing", () => {
  // The parent: spawn's 7 frames plus a stack page and its level-0 table: 9.
  // The child needs its root, then the level-0 table for the text, then the
  // one for the stack: with 9, 10 or 11 frames the first, second or third
  // of these is the one that is missing (the last two inside uvmcopy).
  for (const frames of [9, 10, 11]) {
    bootMachine({ frames });
    const p = spawnOk();
    expect(store(p, STACK, [0x51])).toBe("ok");
    expect(store(p, DATA + 1, [0xd2])).toBe("ok");
    expect(counters().framesInUse).toBe(9);
    const before = pagesOf(p).map((va) => [hex(va), frameOf(p, va)]);

    expect({ frames, fork: fork(p) }).toEqual({ frames, fork: "ENOMEM" });

    expect({ frames, framesInUse: counters().framesInUse, free: kfreecount() }).toEqual({
      frames,
      framesInUse: 9,
      free: frames - 9,
    });
    expect({ frames, audit: audit() }).toEqual({ frames, audit: [] });
    expect(allprocs().map((x) => x.pid)).toEqual([p.pid]);
    expect(alive(p)).toBe(true);
    expect(pagesOf(p).map((va) => [hex(va), frameOf(p, va)])).toEqual(before);
    for (const va of pagesOf(p))
      expect({ frames, va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ frames, va: hex(va), refs: 1 });
    // its memory is still its own: a store may fault (its PTEs may have stayed COW) but copies nothing
    const d = delta(() => {
      expect(store(p, DATA + 2, [0xd3])).toBe("ok");
      expect(store(p, STACK + 1, [0x52])).toBe("ok");
    });
    expect({ frames, framesCopied: d.framesCopied }).toEqual({ frames, framesCopied: 0 });
    expect([load(p, DATA, 3), load(p, STACK, 2)]).toEqual([
      [0x00, 0xd2, 0xd3],
      [0x51, 0x52],
    ]);
  }
});

test("A11 twenty forks of one process share each frame twenty-one ways", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x3c, PGSIZE)).toBe("ok");
  const kids: Proc[] = [];
  const d = delta(() => {
    for (let i = 0; i < 20; i++) kids.push(forkOk(p));
  });
  // each child: a root and the level-0 table for VPN[1] = 0 (the stack was never touched)
  expect({ framesCopied: d.framesCopied, framesAllocated: d.framesAllocated }).toEqual({
    framesCopied: 0,
    framesAllocated: 40,
  });
  for (const va of [...TEXT_PAGES, DATA, BSS])
    expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 21 });
  kids.forEach((k, i) => expect({ i, bytes: load(k, BSS + 4094, 2) }).toEqual({ i, bytes: [0x3c, 0x3c] }));
  kids.forEach((k, i) => {
    exit(k, 0);
    expect({ exited: i + 1, refs: refs(frameOf(p, BSS)) }).toEqual({ exited: i + 1, refs: 20 - i });
  });
});

test("A12 fork shares frame 0 and the last frame like any other", () => {
  // 13 frames, shuffled by seed 47: the parent's 10 frames (spawn's 7, a
  // bss page, a stack page and its table) include frame 0, holding the
  // data page, and frame 12, the last, holding the bss page; the child's 3
  // page-table pages take the rest.
  bootMachine({ frames: 13, seed: 47 });
  const p = spawnOk();
  expect(store(p, BSS, [0xb0])).toBe("ok");
  expect(store(p, STACK, [0x5a])).toBe("ok");
  expect([frameOf(p, DATA), frameOf(p, BSS)]).toEqual([0, 12]);
  const c = forkOk(p);
  expect(kfreecount()).toBe(0);
  expect([frameOf(c, DATA), frameOf(c, BSS)]).toEqual([0, 12]);
  expect([refs(0), refs(12)]).toEqual([2, 2]);
  expect([pteOf(c, DATA) & PERM, pteOf(c, BSS) & PERM]).toEqual([
    PTE_V | PTE_R | PTE_U | PTE_COW,
    PTE_V | PTE_R | PTE_U | PTE_COW,
  ]);
  expect([load(c, DATA, 2), load(c, BSS, 1)]).toEqual([[0x00, 0x01], [0xb0]]);
  exit(c, 0);
  expect([refs(0), refs(12)]).toEqual([1, 1]);
  const d = delta(() => {
    expect(store(p, DATA, [0xd0])).toBe("ok");
    expect(store(p, BSS, [0xb1])).toBe("ok");
  });
  expect({ cowReuses: d.cowReuses, framesCopied: d.framesCopied }).toEqual({ cowReuses: 2, framesCopied: 0 });
});

test("A13 fork fences the parent when ASIDs are few and recycled", () => {
  // asids: 3 leaves ASIDs 1 and 2 for processes: with the parent and four
  // children, ASIDs are taken back and handed out again all along.
  bootMachine({ asids: 3 });
  const p = spawnOk();
  expect(fill(p, BSS, 0x10, PGSIZE)).toBe("ok");
  const kids: Proc[] = [];
  for (let i = 0; i < 4; i++) {
    expect(store(p, BSS, [0x20 + i])).toBe("ok"); // a writable translation in the TLB
    kids.push(forkOk(p));
    expect(store(p, BSS + 2, [0x60 + i])).toBe("ok"); // must fault: the child shares the page
  }
  // child i sees the parent's bytes at its fork: BSS+2 is the parent's store of round i-1
  kids.forEach((k, i) =>
    expect({ i, bytes: load(k, BSS, 3) }).toEqual({ i, bytes: [0x20 + i, 0x10, i === 0 ? 0x10 : 0x60 + i - 1] }),
  );
  expect(load(p, BSS, 3)).toEqual([0x23, 0x10, 0x63]);
});

test("A14 in a fork chain where each process writes, every process keeps its own bytes", () => {
  bootMachine();
  const chain = [spawnOk()];
  expect(store(chain[0]!, DATA, [1])).toBe("ok"); // data is writable at spawn: no fault
  // each new process shares its parent's data page and writes it: a copy each time
  const d = delta(() => {
    for (let i = 1; i <= 5; i++) {
      chain.push(forkOk(chain[i - 1]!));
      expect(store(chain[i]!, DATA, [i + 1])).toBe("ok");
    }
  });
  expect({ cowFaults: d.cowFaults, cowCopies: d.cowCopies }).toEqual({ cowFaults: 5, cowCopies: 5 });
  // every process but the last is left alone on a COW page: its write reuses it
  const d2 = delta(() => {
    for (let i = 0; i < 5; i++) expect(store(chain[i]!, DATA + 1, [0x10 + i])).toBe("ok");
  });
  expect({ cowFaults: d2.cowFaults, cowReuses: d2.cowReuses, cowCopies: d2.cowCopies }).toEqual({
    cowFaults: 5,
    cowReuses: 5,
    cowCopies: 0,
  });
  chain.forEach((q, i) =>
    expect({ i, bytes: load(q, DATA, 2) }).toEqual({ i, bytes: [i + 1, i < 5 ? 0x10 + i : 0x01] }),
  );
});

test("A15 fork copies the mappings of every page-table page, the heap past 4 MiB included", () => {
  bootMachine();
  const p = spawnOk();
  expect(sbrkOk(p, 5 * 1024 * 1024)).toBe(HEAP);
  // VPN[1] = 0 for text to 0x3fffff, 1 for the heap page at HEAP + 4 MiB, 0x1ff for the stack
  const far = HEAP + 0x400000;
  for (const [va, byte] of [
    [HEAP, 0x01],
    [far, 0x02],
    [far + 9 * PGSIZE, 0x03],
    [STACK, 0x04],
  ] as const) {
    expect(store(p, va, [byte])).toBe("ok");
  }
  expect(counters().pageTableFrames).toBe(4);
  let c: Proc | null = null;
  const d = delta(() => {
    c = forkOk(p);
  });
  const child = c as unknown as Proc;
  expect(d.framesAllocated).toBe(4); // a root and three level-0 tables
  expect(pagesOf(child).map(hex)).toEqual(pagesOf(p).map(hex));
  expect([load(child, HEAP, 1), load(child, far, 1), load(child, far + 9 * PGSIZE, 1), load(child, STACK, 1)]).toEqual([
    [1],
    [2],
    [3],
    [4],
  ]);
  for (const va of [HEAP, far, far + 9 * PGSIZE, STACK]) {
    expect({ va: hex(va), perm: pteOf(child, va) & PERM }).toEqual({
      va: hex(va),
      perm: PTE_V | PTE_R | PTE_U | PTE_COW,
    });
  }
});

test("A16 uvmcopy() that runs out of frames undoes its own work: the child maps nothing, every reference is back", () => {
  // fork() tears a failed child down anyway; uvmcopy's own contract is
  // checked here by calling it alone. The parent holds 9 frames (spawn's
  // 7, a stack page and its table); the child's root takes the 10th and
  // the text's level-0 table the 11th, so the stack's table is missing.
  bootMachine({ frames: 11 });
  const p = spawnOk();
  expect(store(p, STACK, [1])).toBe("ok");
  const child = uvmcreate()!;
  expect(uvmcopy(p.pagetable!, child, p.asid)).toBe(-1);
  expect(mappedPages(child).map(hex)).toEqual([]);
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 1 });
  uvmfree(child); // the reference's (this suite grades uvmcopy alone): frees the root and the empty table
  expect(counters().framesInUse).toBe(9);
});

test("A17 a fork that runs out of frames in a parent that already shares its pages keeps the earlier child's references", () => {
  // The parent holds 10 frames (spawn's 7, a bss page, a stack page and its
  // table) and an earlier child 3 more (its root and two level-0 tables).
  // With 15 frames the second child gets its root and the text's level-0
  // table, maps text to bss (frames counted 3 each), and fails on the
  // stack's table: its undo must bring each count back to 2, not lower,
  // and leave the pages the earlier child shares read-only.
  bootMachine({ frames: 15 });
  const p = spawnOk();
  expect(fill(p, BSS, 0xa1, PGSIZE)).toBe("ok");
  expect(store(p, STACK, [0xa2])).toBe("ok");
  const earlier = forkOk(p);
  expect(fork(p)).toBe("ENOMEM");
  for (const va of pagesOf(p)) {
    expect({ va: hex(va), refs: refs(frameOf(p, va)), writable: (pteOf(p, va) & PTE_W) !== 0 }).toEqual({
      va: hex(va),
      refs: 2,
      writable: false,
    });
  }
  expect(audit()).toEqual([]);
  // both sharers still copy on write and keep their own bytes
  expect(store(p, BSS, [0xb1])).toBe("ok");
  expect(store(earlier, STACK, [0xb2])).toBe("ok");
  expect([load(p, BSS, 2), load(earlier, BSS, 2), load(p, STACK, 1), load(earlier, STACK, 1)]).toEqual([
    [0xb1, 0xa1],
    [0xa1, 0xa1],
    [0xa2],
    [0xb2],
  ]);
});

test("A18 uvmcopy() that runs out of frames in an address space with holes gives back exactly the references it took", () => {
  // Pages in three level-0 tables (VPN[1] = 0, 1 and 0x1ff), with holes in
  // the heap, already shared with an earlier child: the parent holds 14
  // frames, the earlier child 4. With 21 frames the new child's root and
  // its first two level-0 tables fit and the stack's does not: uvmcopy has
  // mapped pages on both sides of a hole and in two tables when it fails.
  bootMachine({ frames: 21 });
  const p = spawnOk();
  expect(sbrkOk(p, 6 * 1024 * 1024)).toBe(HEAP);
  const far = HEAP + 0x400000;
  for (const va of [BSS, HEAP, HEAP + 5 * PGSIZE, far, STACK]) expect(store(p, va, [0x18])).toBe("ok");
  const earlier = forkOk(p);
  const child = uvmcreate()!;
  expect(uvmcopy(p.pagetable!, child, p.asid)).toBe(-1);
  expect(mappedPages(child).map(hex)).toEqual([]);
  for (const va of pagesOf(p)) expect({ va: hex(va), refs: refs(frameOf(p, va)) }).toEqual({ va: hex(va), refs: 2 });
  uvmfree(child); // the reference's: the child's root and its two empty level-0 tables
  expect(counters().framesInUse).toBe(18);
  expect([load(earlier, HEAP + 5 * PGSIZE, 1), load(earlier, far, 1)]).toEqual([[0x18], [0x18]]);
});
