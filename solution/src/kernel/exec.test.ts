// exec(): the new image is built first, then the old one is torn down
// (uvmfree, lab part C) and the ASID fenced; a failed exec changes nothing.

import { PGSIZE, PTE2PA } from "../hw/riscv";
import * as hartModule from "./hart";
import {
  Image,
  audit,
  boot,
  exec,
  krefcnt,
  mappings,
  resident,
  tablePages,
  traceEvents,
  type TraceEvent,
} from "./index";
import { BSS, DATA, INIT, STACK, TEXT, forkOk, load, spawnOk, store } from "./test-support";

afterEach(() => jest.restoreAllMocks());

/** A one-page program: text at 0x10000, nothing else loaded. */
const SMALL: Image = { text: 1, data: 0, bss: 0, stack: 1 };

test("exec() allocates the whole new image before it frees anything of the old one", () => {
  boot({ trace: true });
  const p = spawnOk();
  expect(store(p, BSS, [1])).toBe("ok");
  const from = traceEvents().length;
  expect(exec(p, "init", INIT)).toBe(0);

  const events = traceEvents().slice(from);
  const index = (e: TraceEvent) => events.indexOf(e);
  const allocs = events.filter((e) => e.kind === "alloc");
  const frees = events.filter((e) => e.kind === "free");
  // init: a root and one level-0 table, 4 text and 1 data pages
  expect(allocs).toHaveLength(7);
  // the old image: the same 7 frames and its bss page
  expect(frees).toHaveLength(8);
  expect(index(allocs[allocs.length - 1]!)).toBeLessThan(index(frees[0]!));
});

test("exec() drops each old mapping's reference: shared frames lose one, private frames and page tables are freed", () => {
  const m = boot();
  const p = spawnOk();
  expect(store(p, BSS, [0x42])).toBe("ok");
  const c = forkOk(p);
  expect(store(c, STACK, [1])).toBe("ok"); // a private page, in a level-0 table of the child's own
  expect(store(c, DATA, [2])).toBe("ok"); // a private copy
  const shared = mappings(p.pagetable!).map((x) => PTE2PA(x.pte)); // text, data, bss
  const privates = [STACK, DATA].map((va) => mappings(c.pagetable!).find((x) => x.va === va)!.pte).map(PTE2PA);
  const oldTables = tablePages(c.pagetable!);
  expect(oldTables).toHaveLength(3);
  const faults = c.minorFaults;

  expect(exec(c, "small", SMALL)).toBe(0);

  for (const pa of shared) expect(krefcnt(pa)).toBe(1);
  for (const pa of [...privates, ...oldTables]) expect(krefcnt(pa)).toBe(0);
  expect(mappings(c.pagetable!).map((x) => x.va)).toEqual([TEXT]);
  expect(c.layout).toEqual({ text: TEXT, data: TEXT + PGSIZE, bss: TEXT + PGSIZE, heap: TEXT + PGSIZE, stack: STACK });
  expect(c.brk).toBe(TEXT + PGSIZE);
  expect(c.image).toBe("small");
  expect(c.minorFaults).toBe(faults); // kept across exec
  // p: 2 page tables and 6 pages; c: 2 page tables (root, one level-0) and its text page
  expect(m.counters().pageTableFrames).toBe(4);
  expect(m.counters().framesInUse).toBe(11);
  expect(load(c, TEXT + 1, 2)).toEqual([1, 2]);
  expect(load(p, BSS, 1)).toEqual([0x42]);
  expect(resident(p).sharedPages).toBe(0);
  expect(audit()).toEqual([]);
});

describe("exec() and the TLB", () => {
  // The child's store to DATA copies the page and caches a translation to
  // the copy under its ASID. exec frees that copy (junk-filled), so only
  // the fence stops a later load from reading the freed frame.
  function childWithCachedCopy() {
    boot();
    const p = spawnOk();
    const c = forkOk(p);
    expect(store(c, DATA, [0x77])).toBe("ok");
    return c;
  }

  test("exec() fences the process's ASID, so the old image's translations are gone", () => {
    const c = childWithCachedCopy();
    const fence = jest.spyOn(hartModule, "sfence_vma");
    expect(exec(c, "init", INIT)).toBe(0);
    expect(fence.mock.calls.some(([va = null, asid = null]) => va === null && (asid === null || asid === c.asid))).toBe(
      true,
    );
    expect(load(c, DATA, 2)).toEqual([0x00, 0x01]); // the new image's data: low byte of each va
  });

  test("without that fence a load after exec reads the old image's freed frame", () => {
    const c = childWithCachedCopy();
    jest.spyOn(hartModule, "sfence_vma").mockImplementation(() => {});
    expect(exec(c, "init", INIT)).toBe(0);
    expect(load(c, DATA, 2)).toEqual([0x6b, 0x6b]); // kfree's junk
  });
});

describe("a failed exec", () => {
  // The process holds 8 frames (init's 7 and a bss page). "big" needs a
  // root, a level-0 table and 6 text pages: 8 frames. With 0, 1, 2 or 7
  // frames free, the root, the first page, the level-0 table or the last
  // page is the allocation that fails.
  const BIG: Image = { text: 6, data: 0, bss: 0, stack: 1 };

  test.each([0, 1, 2, 7])("with %i frames free leaves the old image intact and leaks nothing", (free) => {
    const m = boot({ frames: 8 + free });
    const p = spawnOk();
    expect(store(p, BSS, [0x99])).toBe("ok");
    const before = { maps: mappings(p.pagetable!), layout: p.layout, brk: p.brk, image: p.image };
    const inUse = m.counters().framesInUse;
    expect(inUse).toBe(8);

    expect(exec(p, "big", BIG)).toBe("ENOMEM");

    expect({ maps: mappings(p.pagetable!), layout: p.layout, brk: p.brk, image: p.image }).toEqual(before);
    expect(m.counters().framesInUse).toBe(inUse);
    expect(audit()).toEqual([]);
    expect(load(p, BSS, 1)).toEqual([0x99]);
    expect(load(p, TEXT + 0x123, 1)).toEqual([0x23]);
  });
});

test("after fork and exec in the child, the parent's stores fault on its COW pages but copy nothing", () => {
  const m = boot();
  const p = spawnOk();
  expect(store(p, BSS, [1])).toBe("ok");
  const c = forkOk(p);
  expect(exec(c, "init", INIT)).toBe(0);
  expect(resident(p)).toEqual({ rssPages: 6, sharedPages: 0, privatePages: 6 });

  const before = m.counters();
  expect(store(p, DATA, [2])).toBe("ok");
  expect(store(p, BSS, [3])).toBe("ok");
  const after = m.counters();
  expect(after.cowFaults - before.cowFaults).toBe(2);
  expect(after.cowReuses - before.cowReuses).toBe(2);
  expect(after.cowCopies).toBe(before.cowCopies);
  expect(after.framesCopied).toBe(before.framesCopied);
  expect(load(c, BSS, 1)).toEqual([0]);
});
