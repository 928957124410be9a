// The copy-on-write fault handler (cowfault, lab part B): copy when the
// frame has other sharers, reuse when this is the last reference.

import { PGROUNDDOWN, PTE_COW, PTE_W } from "../hw/riscv";
import { cowfault } from "./cow";
import * as hartModule from "./hart";
import { audit, boot, krefcnt } from "./index";
import { kalloc } from "./kalloc";
import { DATA, TEXT, forkOk, frameOf, load, pteOf, spawnOk, store } from "./test-support";

afterEach(() => jest.restoreAllMocks());

test("a store to a shared COW page gives the writer a copy: a new writable, non-COW frame with the same bytes", () => {
  const m = boot();
  const p = spawnOk();
  expect(store(p, DATA + 10, [0xee])).toBe("ok");
  const c = forkOk(p);
  const shared = frameOf(p, DATA);

  expect(store(c, DATA + 20, [0x77])).toBe("ok");
  const copy = frameOf(c, DATA);
  expect(copy).not.toBe(shared);
  expect(frameOf(p, DATA)).toBe(shared);
  expect(krefcnt(shared)).toBe(1);
  expect(krefcnt(copy)).toBe(1);
  expect(pteOf(c, DATA) & (PTE_W | PTE_COW)).toBe(PTE_W);
  expect(pteOf(p, DATA) & (PTE_W | PTE_COW)).toBe(PTE_COW); // the parent is not touched
  const counters = m.counters();
  expect(counters.cowFaults).toBe(1);
  expect(counters.cowCopies).toBe(1);
  expect(counters.framesCopied).toBe(1);
  expect(c.minorFaults).toBe(1);

  // the copy holds the loaded bytes (low byte of each va) and the parent's store
  expect(load(c, DATA + 9, 3)).toEqual([9, 0xee, 11]);
  expect(load(c, DATA + 20, 1)).toEqual([0x77]);
  expect(load(p, DATA + 20, 1)).toEqual([20]);
});

test("a store to a COW page whose frame has no other sharer reuses it: the PTE becomes writable, nothing is copied", () => {
  const m = boot();
  const p = spawnOk();
  const c = forkOk(p);
  expect(store(c, DATA, [1])).toBe("ok"); // the child copies; the parent's frame is down to 1 reference
  const frame = frameOf(p, DATA);
  expect(krefcnt(frame)).toBe(1);

  expect(store(p, DATA, [2])).toBe("ok");
  expect(frameOf(p, DATA)).toBe(frame);
  expect(pteOf(p, DATA) & (PTE_W | PTE_COW)).toBe(PTE_W);
  const counters = m.counters();
  expect(counters.cowFaults).toBe(2);
  expect(counters.cowReuses).toBe(1);
  expect(counters.cowCopies).toBe(1);
  expect(counters.framesCopied).toBe(1);
  expect(p.minorFaults).toBe(1);

  // writable now: the next store takes no fault
  expect(store(p, DATA + 1, [3])).toBe("ok");
  expect(m.counters().pageFaults).toBe(2);
  expect(audit()).toEqual([]);
});

test("cowfault() answers not-cow for a read-only page that is not COW and for an unmapped va, changing nothing", () => {
  boot();
  const p = spawnOk();
  const text = pteOf(p, TEXT);
  expect(cowfault(p.pagetable!, TEXT + 5, p.asid)).toBe("not-cow");
  expect(pteOf(p, TEXT)).toBe(text);
  expect(cowfault(p.pagetable!, 0x40000000, p.asid)).toBe("not-cow");
  expect(cowfault(p.pagetable!, 0x00100000, p.asid)).toBe("not-cow"); // a table exists there, the PTE does not
});

test("cowfault() answers out-of-memory and leaves the mapping as it was when no frame is free for the copy", () => {
  boot({ frames: 16 });
  const p = spawnOk();
  const c = forkOk(p);
  while (kalloc() !== null); // take every free frame
  const pte = pteOf(c, DATA);
  expect(cowfault(c.pagetable!, DATA + 3, c.asid)).toBe("out-of-memory");
  expect(pteOf(c, DATA)).toBe(pte);
  expect(krefcnt(frameOf(c, DATA))).toBe(2);
});

test("cowfault() fences the translation it changed, in the faulting process's ASID", () => {
  boot();
  const p = spawnOk();
  const c = forkOk(p);
  const fence = jest.spyOn(hartModule, "sfence_vma");
  expect(cowfault(c.pagetable!, DATA + 100, c.asid)).toBe("ok"); // a copy
  expect(cowfault(p.pagetable!, DATA + 100, p.asid)).toBe("ok"); // a reuse
  for (const proc of [c, p]) {
    const covering = fence.mock.calls.filter(
      ([va = null, asid = null]) => (asid === null || asid === proc.asid) && (va === null || PGROUNDDOWN(va) === DATA),
    );
    expect({ pid: proc.pid, fenced: covering.length > 0 }).toEqual({ pid: proc.pid, fenced: true });
  }
});
