// Hidden tests, part B: the copy-on-write fault handler (src/kernel/cow.ts).
// The student's cowfault() runs with the reference uvmcopy() and uvmfree();
// the kernel audit runs after every test (support/suite.ts).

import { PA2PTE, PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "@lab/hw/riscv";
import { cowfault } from "@lab/kernel/cow";
import { sfence_vma } from "@lab/kernel/hart";
import { Image, Proc, alive, exit, kfreecount, resident, wait } from "@lab/kernel/index";
import { readPte, walk, writePte } from "@lab/kernel/vm";
import {
  BSS,
  DATA,
  HEAP,
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
  pattern,
  pteOf,
  refs,
  spawnOk,
  store,
} from "./support/kernel";
import { runSteps } from "./support/scenario";
import { gradesPart } from "./support/suite";

gradesPart("B");

const PERM = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW;
const RW = PTE_V | PTE_R | PTE_W | PTE_U; // a private, writable user page
const COW = PTE_V | PTE_R | PTE_U | PTE_COW; // a shared copy-on-write page

/** An image with `bss` pages of bss and otherwise init's. */
function withBss(bss: number): Image {
  return { text: 4, data: 1, bss, stack: 1 };
}

// A parent whose bss page holds 0x11 everywhere, and its child: the page
// is shared, read-only and COW in both, with reference count 2.
function family(): { parent: Proc; child: Proc } {
  bootMachine();
  const parent = spawnOk();
  expect(fill(parent, BSS, 0x11, PGSIZE)).toBe("ok");
  return { parent, child: forkOk(parent) };
}

test("B1 a child's write to a shared page gives it its own copy and leaves the parent's bytes alone", () => {
  const { parent, child } = family();
  const shared = frameOf(parent, BSS);
  const d = delta(() => expect(store(child, BSS + 100, [0xcc])).toBe("ok"));
  expect({
    pageFaults: d.pageFaults,
    cowFaults: d.cowFaults,
    cowCopies: d.cowCopies,
    cowReuses: d.cowReuses,
    framesCopied: d.framesCopied,
    framesAllocated: d.framesAllocated,
  }).toEqual({ pageFaults: 1, cowFaults: 1, cowCopies: 1, cowReuses: 0, framesCopied: 1, framesAllocated: 1 });
  expect(frameOf(parent, BSS)).toBe(shared);
  expect(frameOf(child, BSS)).not.toBe(shared);
  expect(load(child, BSS + 99, 3)).toEqual([0x11, 0xcc, 0x11]);
  expect(load(parent, BSS + 99, 3)).toEqual([0x11, 0x11, 0x11]);
  expect(child.minorFaults).toBe(1);
  // the copy is the child's now: its next store takes no fault
  const d2 = delta(() => expect(store(child, BSS + 200, [0xcd])).toBe("ok"));
  expect(d2.pageFaults).toBe(0);
});

test("B2 a parent's write after fork copies the page for the parent; the child keeps the old bytes", () => {
  const { parent, child } = family();
  const shared = frameOf(child, BSS);
  const faults = parent.minorFaults;
  const d = delta(() => expect(store(parent, BSS + 4095, [0xaa])).toBe("ok"));
  expect({ cowCopies: d.cowCopies, framesCopied: d.framesCopied }).toEqual({ cowCopies: 1, framesCopied: 1 });
  expect(parent.minorFaults - faults).toBe(1);
  expect(frameOf(child, BSS)).toBe(shared);
  expect(load(parent, BSS + 4094, 2)).toEqual([0x11, 0xaa]);
  expect(load(child, BSS + 4094, 2)).toEqual([0x11, 0x11]);
  expect([refs(frameOf(parent, BSS)), refs(shared)]).toEqual([1, 1]);
});

test("B3 the copy holds the whole page and is mapped writable, with the old permissions, no longer COW", () => {
  bootMachine();
  const p = spawnOk();
  const c = forkOk(p);
  expect(store(c, DATA + 7, [0xee])).toBe("ok");
  const expected = pattern(DATA, PGSIZE); // the data page as loaded: each byte the low byte of its address
  expected[7] = 0xee;
  expect(load(c, DATA, PGSIZE)).toEqual(expected);
  expect(load(p, DATA, PGSIZE)).toEqual(pattern(DATA, PGSIZE));
  expect(pteOf(c, DATA) & PERM).toBe(RW);
  expect(pteOf(p, DATA) & PERM).toBe(COW); // the other sharer's PTE is not the handler's business
  expect([refs(frameOf(c, DATA)), refs(frameOf(p, DATA))]).toEqual([1, 1]);
});

test("B4 the last sharer's write makes its page writable again without a copy", () => {
  const { parent, child } = family();
  const original = frameOf(parent, BSS);
  expect(store(child, BSS, [1])).toBe("ok"); // a copy: the parent is left alone on the original
  const d = delta(() => expect(store(parent, BSS, [2])).toBe("ok"));
  expect({
    cowFaults: d.cowFaults,
    cowReuses: d.cowReuses,
    cowCopies: d.cowCopies,
    framesCopied: d.framesCopied,
    framesAllocated: d.framesAllocated,
  }).toEqual({ cowFaults: 1, cowReuses: 1, cowCopies: 0, framesCopied: 0, framesAllocated: 0 });
  expect(frameOf(parent, BSS)).toBe(original);
  expect(pteOf(parent, BSS) & PERM).toBe(RW);
  expect([load(parent, BSS, 2), load(child, BSS, 2)]).toEqual([
    [2, 0x11],
    [1, 0x11],
  ]);
});

test("B5 after the other sharers exit, the survivor's writes to eight pages reuse every frame", () => {
  bootMachine();
  const p = spawnOk(withBss(8));
  expect(fill(p, BSS, 0x42, 8 * PGSIZE)).toBe("ok");
  const frames = Array.from({ length: 8 }, (_, i) => frameOf(p, BSS + i * PGSIZE));
  exit(forkOk(p), 0);
  exit(forkOk(p), 0);
  const faults = p.minorFaults;
  const d = delta(() => {
    for (let i = 0; i < 8; i++) expect(store(p, BSS + i * PGSIZE + i, [0x50 + i])).toBe("ok");
  });
  // one fault per page, as Linux takes: each finds reference count 1 and reuses
  expect({
    cowFaults: d.cowFaults,
    cowReuses: d.cowReuses,
    cowCopies: d.cowCopies,
    framesAllocated: d.framesAllocated,
  }).toEqual({ cowFaults: 8, cowReuses: 8, cowCopies: 0, framesAllocated: 0 });
  expect(p.minorFaults - faults).toBe(8);
  for (let i = 0; i < 8; i++) {
    expect({ i, frame: frameOf(p, BSS + i * PGSIZE), bytes: load(p, BSS + i * PGSIZE + i, 2) }).toEqual({
      i,
      frame: frames[i],
      bytes: [0x50 + i, 0x42],
    });
  }
});

test("B6 the copy fences the old translation: a page read before the write can be written", () => {
  const { parent, child } = family();
  // The parent's bss PTE kept its dirty bit (D) from the fill before fork,
  // so this read caches a read-only translation with D set, which the MMU
  // serves to a store without walking the table again.
  expect(load(parent, BSS, 1)).toEqual([0x11]);
  const result = store(parent, BSS, [0x55]); // the child still shares the page: a copy
  expect({ result, killedBy: parent.killedBy }).toEqual({ result: "ok", killedBy: null });
  expect(counters().cowCopies).toBe(1);
  expect([load(parent, BSS, 1), load(child, BSS, 1)]).toEqual([[0x55], [0x11]]);
});

test("B7 the reuse fences the old translation too", () => {
  const { parent, child } = family();
  expect(load(parent, BSS, 1)).toEqual([0x11]); // read-only, D set (as in B6), cached
  exit(child, 0); // the parent holds the last reference
  const result = store(parent, BSS, [0x66]);
  expect({ result, killedBy: parent.killedBy }).toEqual({ result: "ok", killedBy: null });
  expect(load(parent, BSS, 2)).toEqual([0x66, 0x11]);
  expect(counters().cowReuses).toBe(1);
});

test("B8 a child writing k of n shared pages copies exactly k; the others stay shared", () => {
  bootMachine();
  const p = spawnOk(withBss(10));
  expect(fill(p, BSS, 0x21, 10 * PGSIZE)).toBe("ok");
  const c = forkOk(p);
  const d = delta(() => {
    for (const i of [0, 2, 4, 6, 8]) expect(store(c, BSS + i * PGSIZE, [i])).toBe("ok");
  });
  expect({ cowCopies: d.cowCopies, framesCopied: d.framesCopied, framesAllocated: d.framesAllocated }).toEqual({
    cowCopies: 5,
    framesCopied: 5,
    framesAllocated: 5,
  });
  // 4 text + 1 data + 10 bss pages each; the five written pages are private on both sides now
  expect(resident(c)).toEqual({ rssPages: 15, sharedPages: 10, privatePages: 5 });
  expect(resident(p)).toEqual({ rssPages: 15, sharedPages: 10, privatePages: 5 });
  for (let i = 0; i < 10; i++) {
    const va = BSS + i * PGSIZE;
    expect({ i, child: load(c, va, 2), parent: load(p, va, 2) }).toEqual({
      i,
      child: [i % 2 === 0 ? i : 0x21, 0x21],
      parent: [0x21, 0x21],
    });
  }
});

test("B9 four sharers writing one page copy it three times; the last writer reuses it", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x30, PGSIZE)).toBe("ok");
  const kids = [forkOk(p), forkOk(p), forkOk(p)];
  const frame = frameOf(p, BSS);
  const writers = [kids[0]!, p, kids[2]!, kids[1]!];
  const d = delta(() =>
    writers.forEach((w, i) => {
      expect({ before: i, refs: refs(frame) }).toEqual({ before: i, refs: 4 - i });
      expect(store(w, BSS, [0x70 + i])).toBe("ok");
    }),
  );
  expect({ cowCopies: d.cowCopies, cowReuses: d.cowReuses }).toEqual({ cowCopies: 3, cowReuses: 1 });
  expect(frameOf(kids[1]!, BSS)).toBe(frame); // the last writer kept the original frame
  writers.forEach((w, i) => expect({ i, bytes: load(w, BSS, 2) }).toEqual({ i, bytes: [0x70 + i, 0x30] }));
});

test("B10 cowfault() answers not-cow, changing nothing, where there is no valid user COW page", () => {
  // 13 frames shuffled by seed 47 put the data page in frame 0 (see A12).
  // The data page's first word is made to look like a valid user COW PTE
  // for the bss frame: a handler that reads a PTE through a null pointer
  // (no level-0 table) reads frame 0's first word, and must not act on it.
  bootMachine({ frames: 13, seed: 47 });
  const p = spawnOk();
  expect(store(p, BSS, [1])).toBe("ok"); // bss: present, writable, not COW
  expect(store(p, STACK, [2])).toBe("ok");
  expect([frameOf(p, DATA), frameOf(p, BSS)]).toEqual([0, 12]);
  const decoy = PA2PTE(12 * PGSIZE) | PTE_V | PTE_R | PTE_U | PTE_COW;
  const decoyBytes = [decoy & 0xff, (decoy >>> 8) & 0xff, (decoy >>> 16) & 0xff, decoy >>> 24];
  expect(store(p, DATA, decoyBytes)).toBe("ok");
  const pt = p.pagetable!;
  const before = counters();
  const cases: [string, number][] = [
    ["no level-0 table (VPN[1] = 1)", 0x40000000],
    ["a level-0 table but no page (above the break)", HEAP + 0x10],
    ["text: present and read-only, not COW", TEXT + 8],
    ["bss: present and writable, not COW", BSS + 8],
  ];
  for (const [what, va] of cases) {
    const pte = pteOf(p, va);
    expect({ what, result: cowfault(pt, va, p.asid) }).toEqual({ what, result: "not-cow" });
    expect({ what, pte: hex(pteOf(p, va)) }).toEqual({ what, pte: hex(pte) });
  }
  // forged PTEs: marked COW, but not a valid user page
  const ptep = walk(pt, BSS, false)!;
  const real = readPte(ptep);
  const forged: [string, number][] = [
    ["COW but not U (a kernel page)", (real & ~(PTE_U | PTE_W)) | PTE_COW],
    ["COW but not V", (real & ~(PTE_V | PTE_W)) | PTE_COW],
  ];
  for (const [what, pte] of forged) {
    writePte(ptep, pte);
    sfence_vma(BSS, p.asid);
    expect({ what, result: cowfault(pt, BSS + 8, p.asid) }).toEqual({ what, result: "not-cow" });
    expect({ what, pte: hex(readPte(ptep)) }).toEqual({ what, pte: hex(pte) });
  }
  writePte(ptep, real);
  sfence_vma(BSS, p.asid);
  const after = counters();
  expect({
    framesAllocated: after.framesAllocated - before.framesAllocated,
    refs: refs(frameOf(p, BSS)),
    data: load(p, DATA, 4),
  }).toEqual({ framesAllocated: 0, refs: 1, data: decoyBytes });
});

test("B11 a COW copy with no free frame kills only the writer with SIGKILL; the sharer then reuses the frame", () => {
  // spawn's 7 frames and the child's 2 page-table pages (a root, one level-0 table): memory is full
  bootMachine({ frames: 9 });
  const p = spawnOk();
  const c = forkOk(p);
  expect(kfreecount()).toBe(0);
  const frame = frameOf(c, DATA);
  const pte = pteOf(c, DATA);
  // the handler reports it and leaves the mapping as it was
  expect(cowfault(c.pagetable!, DATA + 3, c.asid)).toBe("out-of-memory");
  expect([hex(pteOf(c, DATA)), refs(frame)]).toEqual([hex(pte), 2]);
  // through the trap path, the writer dies
  const d = delta(() => expect(store(c, DATA, [0xcc])).toBe("killed"));
  expect(c.killedBy).toBe("SIGKILL");
  expect({ cowFaults: d.cowFaults, cowCopies: d.cowCopies, oomKills: d.oomKills, segfaults: d.segfaults }).toEqual({
    cowFaults: 1,
    cowCopies: 0,
    oomKills: 1,
    segfaults: 0,
  });
  expect(alive(p)).toBe(true);
  expect(refs(frame)).toBe(1);
  const d2 = delta(() => expect(store(p, DATA, [0xdd])).toBe("ok"));
  expect({ cowReuses: d2.cowReuses, framesCopied: d2.framesCopied }).toEqual({ cowReuses: 1, framesCopied: 0 });
  expect(load(p, DATA, 2)).toEqual([0xdd, 0x01]);
});

test("B12 with no free frame, a demand-zero fault kills only that process with SIGKILL", () => {
  // spawn's 7 frames, the child's 2 page-table pages and the child's copy of the data page
  bootMachine({ frames: 10 });
  const p = spawnOk();
  const c = forkOk(p);
  expect(store(c, DATA, [0xc0])).toBe("ok");
  expect(kfreecount()).toBe(0);
  const d = delta(() => expect(load(c, BSS, 1)).toBe("killed"));
  expect(c.killedBy).toBe("SIGKILL");
  expect({ oomKills: d.oomKills, demandZeroFaults: d.demandZeroFaults }).toEqual({ oomKills: 1, demandZeroFaults: 0 });
  expect(kfreecount()).toBe(3); // the child's copy and its two page-table pages came back
  expect(store(p, BSS, [0xb0])).toBe("ok");
  expect([load(p, DATA, 1), load(p, BSS, 1)]).toEqual([[0x00], [0xb0]]);
});

test("B13 copyout stores wait's status across two shared COW pages, copying each", () => {
  // The status word goes to DATA + 4094: two bytes at the end of the data
  // page, two at the start of the bss page. Both pages are shared with a
  // second child that is still running, so copyout's store takes a COW
  // fault on each page (in supervisor mode) and each needs a copy.
  bootMachine();
  const p = spawnOk();
  expect(store(p, BSS + 1, [0xb1])).toBe("ok");
  const c1 = forkOk(p);
  const c2 = forkOk(p);
  exit(c1, 0x01020304);
  const faults = p.minorFaults;
  const addr = BSS - 2;
  const d = delta(() => expect(wait(p, addr)).toBe(c1));
  expect({ cowFaults: d.cowFaults, cowCopies: d.cowCopies }).toEqual({ cowFaults: 2, cowCopies: 2 });
  expect(p.minorFaults - faults).toBe(2); // counted for the process whose memory it is
  expect(load(p, addr, 4)).toEqual([0x04, 0x03, 0x02, 0x01]); // little-endian
  expect(load(c2, addr, 4)).toEqual([0xfe, 0xff, 0x00, 0xb1]); // the data pattern, then the bss bytes
});

test("B14 copyout on COW pages nobody else shares reuses them", () => {
  const r = runSteps({
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "touch", proc: "P", addr: "bss", pages: 1, access: "write" },
      { op: "fork", proc: "P", as: "C" },
      { op: "exit", proc: "C", status: 7 },
      { op: "snapshot", label: "before-wait" },
      { op: "wait", proc: "P", statusAddr: "data+4094", expectStatus: 7 },
      { op: "read", proc: "P", addr: "data+4094", bytes: 4, expect: [7, 0, 0, 0] },
    ],
  });
  expect(r.failures).toEqual([]);
  const before = r.snapshots["before-wait"]!.counters;
  expect({
    cowFaults: r.counters.cowFaults - before.cowFaults,
    cowReuses: r.counters.cowReuses - before.cowReuses,
    framesCopied: r.counters.framesCopied - before.framesCopied,
  }).toEqual({ cowFaults: 2, cowReuses: 2, framesCopied: 0 });
});

test("B15 a copy lands in frame 0 or in the last frame like in any other", () => {
  // 12 frames, shuffled by seed 162: after spawn (7), a bss page (1) and
  // the child's page tables (2), the two free frames are 0 and 11, the
  // last; the child's two copies take them.
  bootMachine({ frames: 12, seed: 162 });
  const p = spawnOk();
  expect(store(p, BSS, [0xb0])).toBe("ok");
  const c = forkOk(p);
  expect(kfreecount()).toBe(2);
  expect(store(c, DATA, [0xd0])).toBe("ok");
  expect(store(c, BSS + 1, [0xb1])).toBe("ok");
  expect([frameOf(c, DATA), frameOf(c, BSS)]).toEqual([0, 11]);
  expect([load(c, DATA, 2), load(c, BSS, 2)]).toEqual([
    [0xd0, 0x01],
    [0xb0, 0xb1],
  ]);
  expect([load(p, DATA, 2), load(p, BSS, 2)]).toEqual([
    [0x00, 0x01],
    [0xb0, 0x00],
  ]);
});

test("B16 twenty children each copy the page they write; the parent's write, the last, reuses it", () => {
  bootMachine();
  const p = spawnOk();
  expect(fill(p, BSS, 0x5a, PGSIZE)).toBe("ok");
  const kids = Array.from({ length: 20 }, () => forkOk(p));
  const frame = frameOf(p, BSS);
  expect(refs(frame)).toBe(21);
  const d = delta(() =>
    kids.forEach((k, i) => {
      expect(store(k, BSS + i, [i])).toBe("ok");
      expect({ written: i + 1, refs: refs(frame) }).toEqual({ written: i + 1, refs: 20 - i });
    }),
  );
  expect(d.cowCopies).toBe(20);
  const d2 = delta(() => expect(store(p, BSS + 100, [0xff])).toBe("ok"));
  expect({ cowReuses: d2.cowReuses, cowCopies: d2.cowCopies }).toEqual({ cowReuses: 1, cowCopies: 0 });
  expect(frameOf(p, BSS)).toBe(frame);
  kids.forEach((k, i) =>
    expect({ i, bytes: load(k, BSS + i, 1), other: load(k, BSS + ((i + 1) % 20), 1) }).toEqual({
      i,
      bytes: [i],
      other: [0x5a],
    }),
  );
});

test("B17 a chain of forks, then writes in any order: every process keeps its own byte", () => {
  bootMachine();
  const chain = [spawnOk()];
  expect(fill(chain[0]!, BSS, 0x77, PGSIZE)).toBe("ok");
  for (let i = 1; i <= 5; i++) chain.push(forkOk(chain[i - 1]!));
  const frame = frameOf(chain[0]!, BSS);
  expect(refs(frame)).toBe(6);
  const order = [3, 0, 5, 1, 4, 2];
  const d = delta(() => order.forEach((i) => expect(store(chain[i]!, BSS + i, [0xa0 + i])).toBe("ok")));
  expect({ cowCopies: d.cowCopies, cowReuses: d.cowReuses }).toEqual({ cowCopies: 5, cowReuses: 1 });
  expect(frameOf(chain[2]!, BSS)).toBe(frame);
  chain.forEach((q, i) => {
    const expected = [0x77, 0x77, 0x77, 0x77, 0x77, 0x77];
    expected[i] = 0xa0 + i;
    expect({ i, bytes: load(q, BSS, 6) }).toEqual({ i, bytes: expected });
  });
});

test("B18 a write spanning three shared pages copies each of them once", () => {
  bootMachine();
  const p = spawnOk(withBss(3));
  expect(fill(p, BSS, 0x33, 3 * PGSIZE)).toBe("ok");
  const c = forkOk(p);
  const d = delta(() => expect(fill(c, BSS + 100, 0x44, 2 * PGSIZE)).toBe("ok"));
  expect({ cowFaults: d.cowFaults, cowCopies: d.cowCopies }).toEqual({ cowFaults: 3, cowCopies: 3 });
  const last = BSS + 2 * PGSIZE;
  expect([load(c, BSS + 99, 2), load(c, BSS + PGSIZE, 1), load(c, last + 99, 2)]).toEqual([
    [0x33, 0x44],
    [0x44],
    [0x44, 0x33],
  ]);
  expect([load(p, BSS + 100, 1), load(p, BSS + PGSIZE, 1), load(p, last + 99, 1)]).toEqual([[0x33], [0x33], [0x33]]);
});

test("B19 copy-on-write stays right when ASIDs are few and recycled", () => {
  // asids: 3 leaves ASIDs 1 and 2 for four processes: every switch may
  // take an ASID back from another process and hand it out again.
  bootMachine({ asids: 3 });
  const p = spawnOk();
  expect(fill(p, BSS, 0x10, PGSIZE)).toBe("ok");
  expect(store(p, STACK, [0x20])).toBe("ok");
  const all = [p, forkOk(p), forkOk(p), forkOk(p)];
  for (const q of all) expect(load(q, BSS, 1)).toEqual([0x10]); // read-only translations, cached
  all.forEach((q, i) => {
    expect(store(q, BSS, [0x80 + i])).toBe("ok");
    expect(store(q, STACK + 1, [0x90 + i])).toBe("ok");
  });
  all.forEach((q, i) =>
    expect({ i, bss: load(q, BSS, 2), stack: load(q, STACK, 2) }).toEqual({
      i,
      bss: [0x80 + i, 0x10],
      stack: [0x20, 0x90 + i],
    }),
  );
  expect(counters().cowCopies).toBe(6); // two pages, four sharers: three copies each
});
