import { PA2PTE, PGSIZE, PTE2PA, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, PX } from "../hw/riscv";
import { kalloc, krefcnt } from "./kalloc";
import { boot } from "./main";
import { switchTo } from "./proc";
import { DATA, TEXT, forkOk, load, panicOf, spawnOk } from "./test-support";
import { copyout, mappages, mappedPages, readPte, uvmcreate, uvmunmap, validPtes, walk, walkaddr } from "./vm";

const URW = PTE_R | PTE_W | PTE_U;

/** A fresh machine of `frames` frames with one empty page table (frame 0, as nothing is seeded). */
function freshTable(frames = 16): { root: number; m: ReturnType<typeof boot> } {
  const m = boot({ frames });
  const root = uvmcreate()!;
  expect(root).toBe(0);
  return { root, m };
}

test("walk() with alloc false returns null where the level-0 table is missing, and allocates nothing", () => {
  const { root, m } = freshTable();
  expect(walk(root, 0x00403000, false)).toBeNull();
  expect(m.counters().framesAllocated).toBe(1); // the root only
});

test("walk() with alloc true makes the missing level-0 table and returns the address of the PTE in it", () => {
  const { root, m } = freshTable();
  // va 0x00403000: VPN[1] = 1, VPN[0] = 3. The new table is the next frame
  // (frame 1, pa 0x1000), so the PTE sits at 0x1000 + 3*4 and the root's
  // entry 1 points at it as a non-leaf (V only).
  expect(PX(1, 0x00403000)).toBe(1);
  expect(PX(0, 0x00403000)).toBe(3);
  const ptep = walk(root, 0x00403000, true);
  expect(ptep).toBe(0x1000 + 3 * 4);
  expect(readPte(root + 1 * 4)).toBe(PA2PTE(0x1000) | PTE_V);
  expect(m.counters().pageTableFrames).toBe(2);

  // the same 4 MiB region reuses that table; alloc false now finds it too
  expect(walk(root, 0x00400000, false)).toBe(0x1000);
  expect(walk(root, 0x007ff000, true)).toBe(0x1000 + 1023 * 4);
  expect(m.counters().pageTableFrames).toBe(2);
});

test("walk() with alloc true returns null when no frame is left for the level-0 table", () => {
  const { root } = freshTable(1);
  expect(walk(root, 0x10000, true)).toBeNull();
});

test("mappages() maps each page to its frame with the permissions and PTE_V", () => {
  const { root } = freshTable();
  const pa = kalloc()!; // frame 1
  const pb = kalloc()!; // frame 2
  expect(pb).toBe(pa + PGSIZE);
  expect(mappages(root, 0x10000, 2 * PGSIZE, pa, URW)).toBe(0);
  expect(readPte(walk(root, 0x10000, false)!)).toBe(PA2PTE(pa) | URW | PTE_V);
  expect(readPte(walk(root, 0x11000, false)!)).toBe(PA2PTE(pb) | URW | PTE_V);
  expect(walkaddr(root, 0x11000)).toBe(pb);
  expect(walkaddr(root, 0x12000)).toBeNull();
});

test("mappages() of a page that is already mapped panics with the remap's va", () => {
  const { root } = freshTable();
  const pa = kalloc()!;
  mappages(root, 0x10000, PGSIZE, pa, URW);
  expect(panicOf(() => mappages(root, 0xf000, 3 * PGSIZE, pa, URW))).toBe("mappages: remap of va 0x00010000");
});

test("mappages() returns -1 when a page-table page cannot be allocated", () => {
  const { root } = freshTable(2);
  const pa = kalloc()!; // the last free frame: nothing left for a level-0 table
  expect(mappages(root, 0x10000, PGSIZE, pa, URW)).toBe(-1);
  expect(mappedPages(root)).toEqual([]);
});

test("uvmunmap() skips pages that are not mapped and drops the frames of those that are", () => {
  const { root, m } = freshTable();
  const a = kalloc()!;
  const b = kalloc()!;
  mappages(root, 0x3fe000, PGSIZE, a, URW); // last-but-one page of the first 4 MiB
  mappages(root, 0x10000, PGSIZE, b, URW);
  // 0x3fe000..0x401fff: a mapped page, a hole, then two pages whose level-0 table does not exist
  uvmunmap(root, 0x3fe000, 4, true);
  expect(krefcnt(a)).toBe(0);
  expect(walkaddr(root, 0x3fe000)).toBeNull();
  expect(krefcnt(b)).toBe(1);
  expect(m.counters().framesFreed).toBe(1);
});

test("uvmunmap() with dofree false unmaps without dropping the reference", () => {
  const { root } = freshTable();
  const a = kalloc()!;
  mappages(root, 0x10000, PGSIZE, a, URW);
  uvmunmap(root, 0x10000, 1, false);
  expect(mappedPages(root)).toEqual([]);
  expect(krefcnt(a)).toBe(1);
});

test("mappedPages() lists every mapped page, lowest va first, across level-0 tables", () => {
  const { root } = freshTable();
  const pa = kalloc()!;
  for (const va of [0x7ffff000, 0x00400000, 0x00012000, 0x00010000]) {
    mappages(root, va, PGSIZE, pa, PTE_R | PTE_X | PTE_U);
  }
  expect(mappedPages(root)).toEqual([0x00010000, 0x00012000, 0x00400000, 0x7ffff000]);
});

test("validPtes() lists the valid entries of one page-table page, lowest index first, and walks no deeper", () => {
  const { root } = freshTable();
  const pa = kalloc()!;
  for (const va of [0x7ffff000, 0x00012000, 0x00010000]) mappages(root, va, PGSIZE, pa, PTE_R | PTE_U);
  // the root: entries 0 and 0x1ff point at level-0 tables (V alone)
  const top = validPtes(root);
  expect(top.map((e) => [e.index, e.pte & 0x3ff])).toEqual([
    [0, PTE_V],
    [0x1ff, PTE_V],
  ]);
  // the first level-0 table: the pages at VPN[0] 0x10 and 0x12, leaves of frame pa
  expect(validPtes(PTE2PA(top[0]!.pte))).toEqual([
    { index: 0x10, pte: PA2PTE(pa) | PTE_R | PTE_U | PTE_V },
    { index: 0x12, pte: PA2PTE(pa) | PTE_R | PTE_U | PTE_V },
  ]);
});

test("copyout() stores through the MMU in S-mode with SUM set, and leaves sstatus as it was", () => {
  const m = boot();
  const p = spawnOk();
  switchTo(p);
  const sstatus = m.sstatus;
  expect(copyout(DATA + 8, Uint8Array.of(9, 8, 7, 6))).toBe(0);
  expect(m.sstatus).toBe(sstatus);
  expect(load(p, DATA + 8, 4)).toEqual([9, 8, 7, 6]);
  expect(m.counters().pageFaults).toBe(0); // data is mapped writable at load: nothing to fault on
});

test("copyout() onto a COW page takes a real store fault, counted for the process whose memory it is", () => {
  const m = boot();
  const p = spawnOk();
  const c = forkOk(p);
  const before = m.counters();
  switchTo(p);
  expect(copyout(DATA + 8, Uint8Array.of(1, 2, 3, 4))).toBe(0);

  const after = m.counters();
  expect(after.pageFaults - before.pageFaults).toBe(1);
  expect(after.cowFaults - before.cowFaults).toBe(1);
  expect(after.cowCopies - before.cowCopies).toBe(1);
  expect(after.framesCopied - before.framesCopied).toBe(1);
  expect(p.minorFaults).toBe(1);
  expect(c.minorFaults).toBe(0);
  expect(load(p, DATA + 8, 4)).toEqual([1, 2, 3, 4]);
  // the child still has the loaded data: each byte is the low byte of its va
  expect(load(c, DATA + 8, 4)).toEqual([8, 9, 10, 11]);
});

test("copyout() to a page the process may not write fails with -1 instead of killing the process", () => {
  const m = boot();
  const p = spawnOk();
  switchTo(p);
  expect(copyout(TEXT, Uint8Array.of(0))).toBe(-1);
  expect(copyout(0, Uint8Array.of(0))).toBe(-1);
  expect(p.state).toBe("running");
  expect(m.counters().segfaults).toBe(0);
  expect(load(p, TEXT, 2)).toEqual([0, 1]);
});
