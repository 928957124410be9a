// The trap path (usertrap): zero-fill on demand, SIGSEGV for accesses the
// process may not make, SIGKILL when no frame is left to resolve a fault.

import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../hw/riscv";
import { Proc, alive, audit, boot, krefcnt, resident, sbrk } from "./index";
import { BSS, DATA, HEAP, STACK, TEXT, forkOk, frameOf, load, pteOf, spawnOk, store } from "./test-support";

/** init with one page of heap above its break, so bss, heap and stack all have an untouched page. */
function withHeap(): Proc {
  const p = spawnOk();
  expect(sbrk(p, PGSIZE)).toBe(HEAP);
  return p;
}

describe("zero-fill on demand", () => {
  // A bss or heap page needs one frame; the stack's page also needs its
  // level-0 table (the stack is in the last 4 MiB, VPN[1] = 0x1ff, where
  // spawn mapped nothing).
  test.each([
    ["bss", BSS, 1],
    ["heap", HEAP, 1],
    ["stack", STACK, 2],
  ])("the first access to an untouched %s page, a read or a write, maps a fresh zeroed frame", (_name, va, frames) => {
    for (const access of ["read", "write"] as const) {
      const m = boot();
      const p = withHeap();
      const before = m.counters();
      if (access === "read") expect(load(p, va + 17, 2)).toEqual([0, 0]);
      else expect(store(p, va + 17, [5, 6])).toBe("ok");
      const after = m.counters();

      expect({ access, pageFaults: after.pageFaults - before.pageFaults }).toEqual({ access, pageFaults: 1 });
      expect(after.demandZeroFaults - before.demandZeroFaults).toBe(1);
      expect(after.framesAllocated - before.framesAllocated).toBe(frames);
      expect(after.cowFaults).toBe(before.cowFaults);
      expect(p.minorFaults).toBe(1);
      expect(resident(p).rssPages).toBe(6); // 4 text + 1 data at spawn, and this page
      expect(pteOf(p, va) & (PTE_R | PTE_W | PTE_X | PTE_U | PTE_V | PTE_COW)).toBe(PTE_R | PTE_W | PTE_U | PTE_V);
      expect(load(p, va + 16, 4)).toEqual(access === "read" ? [0, 0, 0, 0] : [0, 5, 6, 0]);
    }
  });

  test("there is no shared zero page: each page read before any write gets a frame of its own", () => {
    const m = boot();
    const p = withHeap();
    for (const va of [BSS, HEAP, STACK]) expect(load(p, va, 1)).toEqual([0]);
    const frames = [BSS, HEAP, STACK].map((va) => frameOf(p, va));
    expect(new Set(frames).size).toBe(3);
    for (const pa of frames) expect(krefcnt(pa)).toBe(1);

    // the read mapped the page writable: a store now takes no fault, and touches only its own page
    const faults = m.counters().pageFaults;
    expect(store(p, BSS, [9])).toBe("ok");
    expect(m.counters().pageFaults).toBe(faults);
    expect(load(p, HEAP, 1)).toEqual([0]);
    expect(load(p, STACK, 1)).toEqual([0]);
  });
});

describe("SIGSEGV", () => {
  // init's regions: text 0x10000-0x13fff, data 0x14000, bss 0x15000, an
  // empty heap from 0x16000 (the break), the stack 0x7ffff000-0x7fffffff.
  test.each([
    ["a write to text", TEXT + 4, "write"],
    ["a read at address 0", 0, "read"],
    ["a write at address 0", 0, "write"],
    ["a read outside every region", 0x40000000, "read"],
    ["a write just above the break", HEAP, "write"],
    ["a read just below the stack", STACK - 1, "read"],
  ] as const)("%s kills the process with SIGSEGV and frees its memory", (_what, va, access) => {
    const m = boot();
    const p = spawnOk();
    const outcome = access === "read" ? load(p, va, 1) : store(p, va, [1]);
    expect(outcome).toBe("killed");
    expect(p.state).toBe("killed");
    expect(p.killedBy).toBe("SIGSEGV");
    expect(p.xstate).toBe(-1);
    expect(p.minorFaults).toBe(0); // a fault that kills is not counted
    const c = m.counters();
    expect(c.pageFaults).toBe(1);
    expect(c.segfaults).toBe(1);
    expect(c.oomKills).toBe(0);
    expect(c.framesInUse).toBe(0);
    expect(p.pagetable).toBeNull();
  });

  test("the machine runs on after a kill: another process spawns and works", () => {
    const m = boot();
    const a = spawnOk();
    expect(store(a, TEXT, [1])).toBe("killed");
    const b = spawnOk();
    expect(store(b, BSS, [3])).toBe("ok");
    expect(load(b, BSS, 1)).toEqual([3]);
    expect(m.counters().segfaults).toBe(1);
    expect(m.counters().demandZeroFaults).toBe(1);
    expect(audit()).toEqual([]);
  });
});

describe("SIGKILL when no frame is left", () => {
  test("a demand-zero fault with no free frame kills only the faulting process", () => {
    const m = boot({ frames: 14 }); // exactly two spawns of init, 7 frames each
    const a = spawnOk();
    const b = spawnOk();
    expect(store(b, DATA, [0xbb])).toBe("ok");
    expect(m.counters().framesInUse).toBe(14);

    expect(load(a, BSS, 1)).toBe("killed");
    expect(a.state).toBe("killed");
    expect(a.killedBy).toBe("SIGKILL");
    expect(a.xstate).toBe(-1);
    expect(m.counters().oomKills).toBe(1);
    expect(m.counters().segfaults).toBe(0);

    // b runs on, and can use the frames a's death gave back
    expect(alive(b)).toBe(true);
    expect(load(b, DATA, 1)).toEqual([0xbb]);
    expect(store(b, BSS, [1])).toBe("ok");
    expect(audit()).toEqual([]);
  });

  test("a COW fault that needs a copy and finds no free frame kills the writer; the other sharer then reuses the frame", () => {
    // init's 7 frames and the child's 2 page tables (root, one level-0 table)
    const m = boot({ frames: 9 });
    const p = spawnOk();
    const c = forkOk(p);
    expect(m.counters().framesInUse).toBe(9);

    expect(store(c, DATA, [0xcc])).toBe("killed");
    expect(c.killedBy).toBe("SIGKILL");
    expect(m.counters().cowFaults).toBe(1);
    expect(m.counters().cowCopies).toBe(0);
    expect(m.counters().oomKills).toBe(1);

    expect(alive(p)).toBe(true);
    expect(store(p, DATA, [0xdd])).toBe("ok");
    expect(m.counters().cowReuses).toBe(1);
    expect(m.counters().framesCopied).toBe(0);
    expect(load(p, DATA, 2)).toEqual([0xdd, 1]);
    expect(audit()).toEqual([]);
  });
});
