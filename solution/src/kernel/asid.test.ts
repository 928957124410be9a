// Address-space identifiers: one per running process, recycled with a
// fence when there are fewer ASIDs than processes.

import { MAKE_SATP, SATP_ASID, SATP_PPN } from "../hw/riscv";
import * as hartModule from "./hart";
import { Proc, audit, boot, exit, hart, switchTo } from "./index";
import { DATA, forkOk, load, spawnOk, store } from "./test-support";

afterEach(() => jest.restoreAllMocks());

test("each process has its own page-table root and ASID, and satp holds both while it runs", () => {
  boot();
  const a = spawnOk();
  const b = spawnOk();
  const c = forkOk(a);
  for (const p of [a, b, c]) {
    switchTo(p);
    expect(hart().satp).toBe(MAKE_SATP(p.pagetable!, p.asid));
    expect(SATP_PPN(hart().satp)).toBe(p.pagetable! / 4096);
    expect(SATP_ASID(hart().satp)).toBe(p.asid);
    expect(p.asid).not.toBe(0); // ASID 0 is the kernel's
  }
  expect(new Set([a, b, c].map((p) => p.asid)).size).toBe(3);
  expect(new Set([a, b, c].map((p) => p.pagetable)).size).toBe(3);
});

describe("with three ASIDs (0, the kernel's, and 1 and 2 to hand out)", () => {
  // a, b and c each store a byte of their own at DATA; each store leaves a
  // translation of DATA in the TLB, tagged with the storer's ASID.
  function threeProcesses(): Proc[] {
    boot({ asids: 3 });
    return [spawnOk(), spawnOk(), spawnOk()];
  }

  test("a recycled ASID is fenced before its new owner runs, and the owner it was taken from gets a new one when it next runs", () => {
    const [a, b, c] = threeProcesses() as [Proc, Proc, Proc];
    const fence = jest.spyOn(hartModule, "sfence_vma");
    switchTo(a);
    switchTo(b);
    expect([a.asid, b.asid]).toEqual([1, 2]);
    expect(fence).not.toHaveBeenCalled(); // never-used ASIDs need no fence

    switchTo(c); // takes a's ASID: a has held its ASID longest
    expect([a.asid, b.asid, c.asid]).toEqual([0, 2, 1]);
    expect(fence.mock.calls).toEqual([[null, 1]]);

    switchTo(a); // a runs again: it takes b's
    expect([a.asid, b.asid, c.asid]).toEqual([2, 0, 1]);
    expect(fence.mock.calls).toEqual([
      [null, 1],
      [null, 2],
    ]);
  });

  test("every process still reads its own memory however the ASIDs move", () => {
    const procs = threeProcesses();
    procs.forEach((p, i) => expect(store(p, DATA, [0xa0 + i])).toBe("ok"));
    for (let round = 0; round < 3; round++) {
      procs.forEach((p, i) => expect(load(p, DATA, 2)).toEqual([0xa0 + i, 1]));
    }
    expect(audit()).toEqual([]);
  });

  test("without the fence, a process given a recycled ASID reads its last owner's memory", () => {
    const [a, b, c] = threeProcesses() as [Proc, Proc, Proc];
    expect(store(a, DATA, [0xaa])).toBe("ok");
    expect(store(b, DATA, [0xbb])).toBe("ok");
    jest.spyOn(hartModule, "sfence_vma").mockImplementation(() => {});
    expect(load(c, DATA, 1)).toEqual([0xaa]); // c got ASID 1, and a's translation under it
  });

  test("an ASID freed at exit goes back to the pool, and nobody else's is taken", () => {
    const [a, b, c] = threeProcesses() as [Proc, Proc, Proc];
    switchTo(a);
    switchTo(b);
    exit(a, 0);
    expect(a.asid).toBe(0);
    switchTo(c);
    expect([b.asid, c.asid]).toEqual([2, 1]);
  });
});
