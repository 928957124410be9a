// The event trace: each fault with how it was resolved, and the frame and
// its reference count before and after.

import {
  PA2PTE,
  PTE_COW,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  SCAUSE_LOAD_PAGE_FAULT,
  SCAUSE_STORE_PAGE_FAULT,
} from "../hw/riscv";
import { TraceEvent, boot, traceEvents, wait, exit } from "./index";
import { BSS, DATA, TEXT, forkOk, frameOf, load, pteOf, spawnOk, store } from "./test-support";

/** The fault events recorded since `from`. */
function faultsSince(from: number): TraceEvent[] {
  return traceEvents()
    .slice(from)
    .filter((e) => e.kind === "fault");
}

const frameNumber = (pa: number) => pa / 4096;

// pteAfter is the PTE as the handler left it: the retried access then sets
// A (and D for a store), so it is not what the page table holds afterwards.

test("nothing is recorded unless boot asks for the trace", () => {
  boot();
  const p = spawnOk();
  expect(load(p, BSS, 1)).toEqual([0]);
  expect(traceEvents()).toEqual([]);
});

test("a fault on an untouched page is recorded as demand-zero, with no frame before and a fresh one after", () => {
  boot({ trace: true });
  const p = spawnOk();
  const from = traceEvents().length;
  expect(load(p, BSS + 5, 1)).toEqual([0]);
  expect(faultsSince(from)).toEqual([
    {
      kind: "fault",
      pid: p.pid,
      va: BSS + 5,
      scause: SCAUSE_LOAD_PAGE_FAULT,
      priv: "U",
      resolution: "demand-zero",
      pteBefore: 0,
      pteAfter: PA2PTE(frameOf(p, BSS)) | PTE_R | PTE_W | PTE_U | PTE_V,
      frameBefore: null,
      frameAfter: frameNumber(frameOf(p, BSS)),
      refBefore: null,
      refAfter: 1,
    },
  ]);
});

test("COW faults are recorded as cow-copy (a new frame, the old one shared by 2) and then cow-reuse (same frame)", () => {
  boot({ trace: true });
  const p = spawnOk();
  const c = forkOk(p);
  const shared = frameNumber(frameOf(p, DATA));
  const [pteP, pteC] = [pteOf(p, DATA), pteOf(c, DATA)];
  const from = traceEvents().length;
  expect(store(c, DATA, [1])).toBe("ok");
  expect(store(p, DATA + 1, [2])).toBe("ok");

  const common = { kind: "fault", scause: SCAUSE_STORE_PAGE_FAULT, priv: "U" };
  expect(faultsSince(from)).toEqual([
    {
      ...common,
      pid: c.pid,
      va: DATA,
      resolution: "cow-copy",
      pteBefore: pteC,
      pteAfter: PA2PTE(frameOf(c, DATA)) | (((pteC & 0x3ff) | PTE_W) & ~PTE_COW),
      frameBefore: shared,
      frameAfter: frameNumber(frameOf(c, DATA)),
      refBefore: 2,
      refAfter: 1,
    },
    {
      ...common,
      pid: p.pid,
      va: DATA + 1,
      resolution: "cow-reuse",
      pteBefore: pteP,
      pteAfter: (pteP | PTE_W) & ~PTE_COW,
      frameBefore: shared,
      frameAfter: shared,
      refBefore: 1,
      refAfter: 1,
    },
  ]);
  expect(frameOf(c, DATA)).not.toBe(shared * 4096);
});

test("a store to text is recorded as SIGSEGV, the PTE and frame as they were when the process was killed", () => {
  boot({ trace: true });
  const p = spawnOk();
  const pte = pteOf(p, TEXT);
  const frame = frameNumber(frameOf(p, TEXT));
  const from = traceEvents().length;
  expect(store(p, TEXT + 2, [1])).toBe("killed");
  expect(faultsSince(from)).toEqual([
    {
      kind: "fault",
      pid: p.pid,
      va: TEXT + 2,
      scause: SCAUSE_STORE_PAGE_FAULT,
      priv: "U",
      resolution: "SIGSEGV",
      pteBefore: pte,
      pteAfter: pte,
      frameBefore: frame,
      frameAfter: frame,
      refBefore: 1,
      refAfter: 1,
    },
  ]);
});

test("a COW fault taken by copyout in wait() is recorded in supervisor mode, for the waiting process", () => {
  boot({ trace: true });
  const p = spawnOk();
  const c = forkOk(p);
  exit(c, 0);
  const from = traceEvents().length;
  expect(wait(p, DATA)).toBe(c);
  const faults = faultsSince(from);
  expect(faults).toHaveLength(1);
  expect(faults[0]).toMatchObject({ pid: p.pid, va: DATA, priv: "S", resolution: "cow-reuse", refBefore: 1 });
});
