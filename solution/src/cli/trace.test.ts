// The text trace (`oslab trace FILE`): each step named as the file counts
// it, then only what changed, the TLB, and what an expect compared.

import { parseScenario } from "../scenario/parse";
import { buildTimeline } from "../scenario/timeline";
import { formatTimeline } from "./trace";

/** The text trace of `steps`, cut into its steps: title line first. */
function traceOf(steps: unknown[]): string[][] {
  const text = formatTimeline(buildTimeline(parseScenario({ version: 1, name: "t", steps })));
  return text.split("\n\n").map((block) => block.split("\n"));
}

const spawnP = { op: "spawn", as: "P", image: "init" };

test("each step is titled as the file counts it, from 1, a repeat's steps with their round", () => {
  const steps = traceOf([
    spawnP,
    { op: "repeat", times: 2, steps: [{ op: "touch", proc: "P", addr: "stack", pages: 1, access: "read" }] },
  ]);
  expect(steps.map((s) => s[0])).toEqual([
    "== the start: machine booted",
    "== step 1: spawn P from init",
    "== step 2.1, round 1 of 2: touch P stack",
    "== step 2.1, round 2 of 2: touch P stack",
    "every expectation held",
  ]);
});

test("a step prints only what it changed: the pages whose mapping or reference count moved, and the counters that moved", () => {
  const [, , , fill, fork, write] = traceOf([
    spawnP,
    { op: "malloc", proc: "P", bytes: 8192, label: "buf" },
    { op: "memset", proc: "P", addr: "buf", value: 1, bytes: 8192 },
    { op: "fork", proc: "P", as: "C" },
    { op: "write", proc: "C", addr: "buf+4096", bytes: [2] },
  ]);
  expect(fill).toContain("   P (pid 1, asid 1): 2 pages changed");
  expect(fill!.filter((l) => l.startsWith("     now "))).toEqual([
    "     now 0x00016000 +2     pages  rw- uad      frames 7..8        ref 1",
  ]);
  // the text and data pages did not change: not printed again
  expect(fill!.join("\n")).not.toContain("0x00010000");
  expect(fill).toContain(
    "   counters: pageFaults 2 (+2), demandZeroFaults 2 (+2), framesZeroed 9 (+2), framesAllocated 9 (+2), framesInUse 9 (+2), cycles 8978 (+2618)",
  );
  // fork: every parent page loses W or gains a reference, each old mapping above its new one
  expect(fork).toContain("     was 0x00016000 +2     pages  rw- uad      frames 7..8        ref 1");
  expect(fork).toContain("     now 0x00016000 +2     pages  r-- uad cow  frames 7..8        ref 2");
  expect(fork!.indexOf("     now 0x00016000 +2     pages  r-- uad cow  frames 7..8        ref 2")).toBe(
    fork!.indexOf("     was 0x00016000 +2     pages  rw- uad      frames 7..8        ref 1") + 1,
  );
  expect(fork).toContain("   C (pid 2, no ASID yet, root page table in frame 9): new, 7 pages mapped");
  // the child's write: one page in each process, the parent's only by its reference count
  expect(write).toContain("   P (pid 1, asid 1): 1 page changed");
  expect(write).toContain("     now 0x00017000               r-- uad cow  frame 8            ref 1");
  expect(write).toContain("   C (pid 2, asid 2): 1 page changed");
  expect(write!.some((l) => l.startsWith("   counters: ") && l.includes("cowCopies 1 (+1)"))).toBe(true);
});

test("a step that changes nothing but time prints only the cycles it took", () => {
  const [, , sbrk] = traceOf([spawnP, { op: "sbrk", proc: "P", bytes: 4096 }]);
  expect(sbrk).toEqual(["== step 2: sbrk P 4096", "   counters: cycles 6360 (+200)"]);
});

test("the TLB is shown when it changes: satp's ASID, its size, the new entries and how many left", () => {
  const [, , fill, fork] = traceOf([
    spawnP,
    { op: "touch", proc: "P", addr: "data", pages: 1, access: "write" },
    { op: "fork", proc: "P", as: "C" },
  ]);
  expect(fill!.slice(-2)).toEqual([
    "   TLB (satp asid 1): 1 entry, 1 new",
    "     new   asid 1 0x00014000 -> frame 6 rw- uad",
  ]);
  expect(fork!.at(-1)).toBe("   TLB (satp asid 1): 0 entries, 1 gone");
});

test("an expect step says what it compared and whether it held, and a missed one is not said twice", () => {
  const steps = traceOf([
    spawnP,
    { op: "expect", counter: "framesInUse", equals: 7 },
    { op: "expect", proc: "P", figure: "rssPages", atMost: 2 },
    { op: "read", proc: "P", addr: "data", bytes: 1, expect: [9] },
  ]);
  expect(steps[2]).toEqual([
    "== step 2: expect framesInUse",
    "   expected counter framesInUse to equal 7; it is 7: held",
  ]);
  expect(steps[3]).toEqual([
    "== step 3: expect P rssPages",
    "   expected P's rssPages at most 2; it is 5: did NOT hold",
  ]);
  expect(steps[4]![1]).toBe("   FAILED: read [0] at data but expected [9]");
  expect(steps.at(-1)).toEqual([
    "FAILED: 2 failure(s)",
    "  step 3 (expect P rssPages): P's rssPages is 5, expected at most 2",
    "  step 4 (read P data): read [0] at data but expected [9]",
  ]);
});
