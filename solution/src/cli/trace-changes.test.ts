// What a step changed, as the traces show it: pages and reference counts,
// counters, and the TLB with its stale entries.

import { PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W } from "../hw/riscv";
import { parseScenario } from "../scenario/parse";
import { ProcessView, buildTimeline } from "../scenario/timeline";
import { counterChanges, pageChanges, staleness, tlbChanges } from "./trace-changes";

/** spawn, fill two heap pages, fork, the child writes one page, the child exits. */
const timeline = buildTimeline(
  parseScenario({
    version: 1,
    name: "changes",
    steps: [
      { op: "spawn", as: "P", image: "init" },
      { op: "malloc", proc: "P", bytes: 8192, label: "buf" },
      { op: "memset", proc: "P", addr: "buf", value: 1, bytes: 8192 },
      { op: "fork", proc: "P", as: "C" },
      { op: "write", proc: "C", addr: "buf", bytes: [2] },
      { op: "exit", proc: "C" },
    ],
  }),
);
const step = (i: number) => timeline.steps[i]!;

describe("pageChanges", () => {
  it("lists nothing for a step that maps nothing new", () => {
    expect(pageChanges(step(1), step(2))).toEqual([]);
  });

  it("gives a new process every page, and a process that changed only the pages that did", () => {
    const fork = pageChanges(step(3), step(4));
    expect(fork.map((c) => [c.process.name, c.isNew, c.pages])).toEqual([
      ["P", false, 7],
      ["C", true, 7],
    ]);
    const parentBuf = fork[0]!.now.find((r) => r.va === 0x16000)!;
    expect(parentBuf).toMatchObject({ pages: 2, ref: 2 });
    expect(parentBuf.flags & PTE_W).toBe(0);
    expect(fork[0]!.was.find((r) => r.va === 0x16000)).toMatchObject({ pages: 2, ref: 1 });
  });

  it("shows a copy in the writer and a reference count that dropped in the other sharer", () => {
    const write = pageChanges(step(4), step(5));
    expect(write.map((c) => [c.process.name, c.pages])).toEqual([
      ["P", 1],
      ["C", 1],
    ]);
    const [parent, child] = write;
    expect(parent!.was[0]).toMatchObject({ va: 0x16000, ref: 2 });
    expect(parent!.now[0]).toMatchObject({ va: 0x16000, ref: 1, frame: parent!.was[0]!.frame });
    expect(child!.now[0]!.frame).not.toBe(child!.was[0]!.frame);
  });

  it("says once that a process ended, and nothing about it after", () => {
    const exit = pageChanges(step(5), step(6));
    expect(exit.find((c) => c.process.name === "C")).toMatchObject({ ended: true, now: [] });
    expect(pageChanges(step(6), step(6)).find((c) => c.process.name === "C")).toBeUndefined();
  });
});

describe("counterChanges", () => {
  it("lists the counters that moved, with before and after", () => {
    const moved = counterChanges(step(4), step(5));
    expect(moved.find((c) => c.name === "cowCopies")).toEqual({ name: "cowCopies", before: 0, after: 1 });
    expect(moved.map((c) => c.name)).not.toContain("segfaults");
    expect(counterChanges(step(6), step(6))).toEqual([]);
  });
});

describe("tlbChanges", () => {
  it("tells the entries new since the step before and how many left", () => {
    const fill = tlbChanges(step(2), step(3));
    expect(fill.added.map((e) => e.va)).toEqual([0x16000, 0x17000]);
    expect(fill.gone).toBe(0);
    const fork = tlbChanges(step(3), step(4));
    expect(fork.added).toEqual([]);
    expect(fork.gone).toBe(2); // fork fences the parent's writable entries
    expect(fork.stale).toEqual([]);
  });
});

describe("staleness", () => {
  const RW = PTE_V | PTE_R | PTE_W | PTE_U;
  const RO = PTE_V | PTE_R | PTE_U | PTE_COW;
  const p: ProcessView = {
    name: "parent",
    pid: 1,
    state: "running",
    killedBy: null,
    asid: 3,
    root: 0,
    runs: [{ va: 0x14000, pages: 2, flags: RO, frame: 20, ref: 2 }],
  };

  it("accepts an entry that agrees with the page table", () => {
    expect(staleness({ asid: 3, va: 0x15000, frame: 21, flags: RO }, [p])).toBeNull();
  });

  it("explains a writable entry left behind by a missing sfence.vma", () => {
    expect(staleness({ asid: 3, va: 0x14000, frame: 20, flags: RW }, [p])).toBe(
      "parent's page table now says r--, the TLB still says rw-",
    );
  });

  it("explains a changed frame, a removed mapping, and an ASID nobody holds", () => {
    expect(staleness({ asid: 3, va: 0x14000, frame: 9, flags: RO }, [p])).toBe("parent's page table now maps frame 20");
    expect(staleness({ asid: 3, va: 0x30000, frame: 9, flags: RO }, [p])).toBe(
      "parent's page table no longer maps this page",
    );
    expect(staleness({ asid: 4, va: 0x14000, frame: 20, flags: RO }, [p])).toBe("no running process holds ASID 4");
    expect(staleness({ asid: 3, va: 0x14000, frame: 20, flags: RO }, [{ ...p, state: "exited" }])).toBe(
      "no running process holds ASID 3",
    );
  });
});
