// fork()'s copy-on-write page-table copy (uvmcopy, lab part A), seen
// through fork(): what the child maps, what both PTEs become, the fence,
// and the undo when memory runs out.

import { PGSIZE, PTE2PA, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../hw/riscv";
import * as hartModule from "./hart";
import { Proc, alive, allprocs, audit, boot, fork, kfreecount, krefcnt, mappings, resident, sbrk } from "./index";
import { BSS, DATA, HEAP, STACK, TEXT, forkOk, frameOf, load, pteOf, spawnOk, store } from "./test-support";
import { uvmcopy } from "./uvmcopy";
import { uvmfree } from "./uvmfree";
import { mappedPages, uvmcreate } from "./vm";

afterEach(() => jest.restoreAllMocks());

/**
 * A process with every kind of page present: text (4 pages), data (1),
 * and one touched page each of bss, heap and stack: 8 pages in all.
 */
function busyParent(): Proc {
  const p = spawnOk();
  expect(sbrk(p, 2 * PGSIZE)).toBe(HEAP);
  expect(store(p, BSS, [0xb5])).toBe("ok");
  expect(store(p, HEAP, [0x4e])).toBe("ok");
  expect(store(p, STACK + 100, [0x5c])).toBe("ok");
  expect(store(p, DATA, [0xda])).toBe("ok");
  return p;
}

const WRITABLE_VAS = [DATA, BSS, HEAP, STACK];
const TEXT_VAS = [TEXT, TEXT + PGSIZE, TEXT + 2 * PGSIZE, TEXT + 3 * PGSIZE];

test("fork() maps every present user page of the parent in the child, to the same frame, raising its reference count", () => {
  const m = boot();
  const p = busyParent();
  const before = m.counters();
  const c = forkOk(p);
  const after = m.counters();

  const parentPages = mappings(p.pagetable!).map((x) => ({ va: x.va, pa: PTE2PA(x.pte) }));
  const childPages = mappings(c.pagetable!).map((x) => ({ va: x.va, pa: PTE2PA(x.pte) }));
  expect(parentPages.map((x) => x.va)).toEqual([...TEXT_VAS, DATA, BSS, HEAP, STACK]);
  expect(childPages).toEqual(parentPages);
  for (const { pa } of parentPages) expect(krefcnt(pa)).toBe(2);

  // nothing copied; the only new frames are the child's page tables: its
  // root and one level-0 table per 4 MiB region in use (text..heap share
  // VPN[1] = 0, the stack has VPN[1] = 0x1ff)
  expect(after.framesCopied).toBe(before.framesCopied);
  expect(after.framesAllocated - before.framesAllocated).toBe(3);
  expect(after.pageTableFrames - before.pageTableFrames).toBe(3);
  expect(c.minorFaults).toBe(0);
  expect(resident(c)).toEqual({ rssPages: 8, sharedPages: 8, privatePages: 0 });
  expect(resident(p)).toEqual({ rssPages: 8, sharedPages: 8, privatePages: 0 });
  expect(audit()).toEqual([]);
});

test("fork() makes writable pages read-only and COW in both parent and child, and shares text as it is, never COW", () => {
  boot();
  const p = busyParent();
  const c = forkOk(p);
  for (const proc of [p, c]) {
    for (const va of WRITABLE_VAS) {
      const pte = pteOf(proc, va);
      expect({ va, W: pte & PTE_W, COW: pte & PTE_COW, RUV: pte & (PTE_R | PTE_U | PTE_V) }).toEqual({
        va,
        W: 0,
        COW: PTE_COW,
        RUV: PTE_R | PTE_U | PTE_V,
      });
    }
    for (const va of TEXT_VAS) {
      const pte = pteOf(proc, va);
      expect({ va, perm: pte & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_V), COW: pte & PTE_COW }).toEqual({
        va,
        perm: PTE_R | PTE_X | PTE_U | PTE_V,
        COW: 0,
      });
    }
  }
});

test("fork() fences the parent's ASID after downgrading its PTEs, for every downgraded page", () => {
  const m = boot();
  const p = busyParent();
  const real = hartModule.sfence_vma;
  // each fence, with whether the parent's PTEs were already read-only when it ran
  const fences: { va: number | null; asid: number | null; downgraded: boolean[] }[] = [];
  jest.spyOn(hartModule, "sfence_vma").mockImplementation((va = null, asid = null) => {
    fences.push({ va, asid, downgraded: WRITABLE_VAS.map((v) => (pteOf(p, v) & PTE_W) === 0) });
    real(va, asid);
  });
  const flushes = m.counters().tlbFlushes;
  forkOk(p);

  expect(m.counters().tlbFlushes).toBeGreaterThan(flushes);
  WRITABLE_VAS.forEach((va, i) => {
    const covering = fences.filter(
      (f) => (f.asid === null || f.asid === p.asid) && (f.va === null || f.va === va) && f.downgraded[i],
    );
    expect({ va, fenced: covering.length > 0 }).toEqual({ va, fenced: true });
  });
});

describe("a parent that cached a writable translation before fork", () => {
  // The parent's store before fork leaves a TLB entry for BSS that is
  // writable and dirty (D set), tagged with its ASID. Only the fence that
  // fork does after making the PTE read-only removes it.
  function parentWithWritableTlbEntry(): Proc {
    boot();
    const p = spawnOk();
    expect(store(p, BSS, [1])).toBe("ok");
    return p;
  }

  test("without the fence it writes straight through to the frame it now shares, and the child sees the write", () => {
    const p = parentWithWritableTlbEntry();
    jest.spyOn(hartModule, "sfence_vma").mockImplementation(() => {});
    const c = forkOk(p);
    const cowFaults = hartModule.hart().counters().cowFaults;
    expect(store(p, BSS, [2])).toBe("ok");
    expect(hartModule.hart().counters().cowFaults).toBe(cowFaults); // served by the stale entry: no fault
    expect(load(c, BSS, 1)).toEqual([2]);
  });

  test("with the fence its next store takes a COW fault and the child keeps the old byte", () => {
    const p = parentWithWritableTlbEntry();
    const c = forkOk(p);
    const cowFaults = hartModule.hart().counters().cowFaults;
    expect(store(p, BSS, [2])).toBe("ok");
    expect(hartModule.hart().counters().cowFaults).toBe(cowFaults + 1);
    expect(load(c, BSS, 1)).toEqual([1]);
    expect(load(p, BSS, 1)).toEqual([2]);
  });
});

test("several forks before any write share one frame among all; the first writers copy, the last reuses", () => {
  const m = boot();
  const a = spawnOk();
  expect(store(a, DATA, [0])).toBe("ok");
  const b = forkOk(a);
  const c = forkOk(a);
  const d = forkOk(b); // a fork of a child: the page is already COW there
  const frame = frameOf(a, DATA);
  for (const proc of [b, c, d]) expect(frameOf(proc, DATA)).toBe(frame);
  expect(krefcnt(frame)).toBe(4);
  expect(m.counters().framesCopied).toBe(0);

  [b, c, d, a].forEach((proc, i) => expect(store(proc, DATA, [i + 1])).toBe("ok"));
  expect(m.counters().cowCopies).toBe(3);
  expect(m.counters().cowReuses).toBe(1);
  expect(frameOf(a, DATA)).toBe(frame); // the last sharer kept the original frame
  [b, c, d, a].forEach((proc, i) => expect(load(proc, DATA, 1)).toEqual([i + 1]));
  expect(audit()).toEqual([]);
});

test("fork() of a process whose heap was never touched maps no heap page; each process later gets its own zeroed page", () => {
  const m = boot();
  const p = spawnOk();
  expect(sbrk(p, 2 * PGSIZE)).toBe(HEAP);
  const c = forkOk(p);
  expect(c.brk).toBe(p.brk);
  expect(pteOf(c, HEAP) & PTE_V).toBe(0);

  const before = m.counters();
  expect(load(c, HEAP + 8, 1)).toEqual([0]);
  expect(store(p, HEAP + 8, [7])).toBe("ok");
  const after = m.counters();
  expect(after.demandZeroFaults - before.demandZeroFaults).toBe(2);
  expect(after.cowFaults).toBe(before.cowFaults);
  expect(frameOf(c, HEAP)).not.toBe(frameOf(p, HEAP));
  expect(load(c, HEAP + 8, 1)).toEqual([0]);
});

describe("fork() when memory runs out", () => {
  // The parent: init's 7 frames at spawn (root, one level-0 table, 4 text
  // and 1 data pages) plus a touched stack page and its own level-0 table:
  // 9 frames. The child needs a root and two level-0 tables, so with 9, 10
  // or 11 frames the root, the first or the second table is what fails.
  test.each([
    [9, "its root page table"],
    [10, "the level-0 table for the text"],
    [11, "the level-0 table for the stack"],
  ])("with %i frames (no frame for %s) it fails with ENOMEM, undoes its work and leaks nothing", (frames) => {
    const m = boot({ frames });
    const p = spawnOk();
    expect(store(p, STACK, [0x51])).toBe("ok");
    expect(store(p, DATA + 1, [0xd1])).toBe("ok");
    expect(m.counters().framesInUse).toBe(9);
    const pagesBefore = mappings(p.pagetable!).map((x) => PTE2PA(x.pte));
    const free = kfreecount();

    expect(fork(p)).toBe("ENOMEM");

    expect(m.counters().framesInUse).toBe(9);
    expect(kfreecount()).toBe(free);
    expect(audit()).toEqual([]);
    expect(allprocs()).toEqual([p]);
    expect(alive(p)).toBe(true);
    expect(mappings(p.pagetable!).map((x) => PTE2PA(x.pte))).toEqual(pagesBefore);
    for (const pa of pagesBefore) expect(krefcnt(pa)).toBe(1);
    // the parent's memory is intact and still its own: a store may fault
    // (its PTEs may stay COW) but finds reference count 1 and copies nothing
    expect(load(p, STACK, 1)).toEqual([0x51]);
    expect(store(p, DATA + 1, [0xd2])).toBe("ok");
    expect(load(p, DATA, 2)).toEqual([0x00, 0xd2]);
    expect(m.counters().framesCopied).toBe(0);
    expect(audit()).toEqual([]);
  });
});

test("uvmcopy() that runs out of page-table frames returns -1 with the child's table emptied and its references dropped", () => {
  // as above with 11 frames: the parent holds 9, the child's root takes the
  // 10th and its first level-0 table the 11th; the stack's table fails
  const m = boot({ frames: 11 });
  const p = spawnOk();
  expect(store(p, STACK, [1])).toBe("ok");
  const child = uvmcreate()!;
  expect(uvmcopy(p.pagetable!, child, p.asid)).toBe(-1);
  expect(mappedPages(child)).toEqual([]);
  for (const x of mappings(p.pagetable!)) expect(krefcnt(PTE2PA(x.pte))).toBe(1);
  uvmfree(child); // what fork's undo does next: the tables were the child's only frames
  expect(m.counters().framesInUse).toBe(9);
  expect(audit()).toEqual([]);
});
