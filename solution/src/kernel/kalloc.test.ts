import { JUNK } from "../hw/memory";
import { PGSIZE } from "../hw/riscv";
import { kalloc, kfree, kfreecount, krefcnt, krefinc } from "./kalloc";
import { boot } from "./main";
import { panicOf } from "./test-support";

/** Takes every frame the pool has, in the order it hands them out. */
function drain(): number[] {
  const out: number[] = [];
  for (let pa = kalloc(); pa !== null; pa = kalloc()) out.push(pa);
  return out;
}

const ascending = (n: number) => Array.from({ length: n }, (_, i) => i * PGSIZE);

test("without a seed, kalloc() hands out frames in ascending order from frame 0", () => {
  boot({ frames: 16 });
  expect(drain()).toEqual(ascending(16));
});

test("a seed shuffles the order deterministically: same seed, same order; another seed, another order", () => {
  boot({ frames: 64, seed: 7 });
  const first = drain();
  boot({ frames: 64, seed: 7 });
  const again = drain();
  boot({ frames: 64, seed: 8 });
  const other = drain();

  expect(again).toEqual(first);
  expect(other).not.toEqual(first);
  expect(first).not.toEqual(ascending(64));
  // a shuffle, not a different set: every frame exactly once
  expect([...first].sort((a, b) => a - b)).toEqual(ascending(64));
  expect([...other].sort((a, b) => a - b)).toEqual(ascending(64));
});

test("kalloc() returns null when every frame is taken, and counts only the calls that succeeded", () => {
  const m = boot({ frames: 3 });
  expect(drain()).toHaveLength(3);
  expect(kalloc()).toBeNull();
  expect(kfreecount()).toBe(0);
  expect(m.counters().framesAllocated).toBe(3);
  expect(m.counters().framesInUse).toBe(3);
});

test("kfree() fills a freed frame with junk (0x6b), and kalloc() zero-fills it before handing it out again", () => {
  const m = boot({ frames: 4 });
  const pa = kalloc()!;
  m.writePhysical(pa + 100, Uint8Array.of(1, 2, 3));
  kfree(pa);
  expect(JUNK).toBe(0x6b);
  expect(m.peekPhysical(pa, PGSIZE).every((b) => b === JUNK)).toBe(true);

  const zeroedBefore = m.counters().framesZeroed;
  const again = kalloc()!;
  expect(again).toBe(pa); // the pool is a stack: the frame just freed comes back first
  expect(m.peekPhysical(again, PGSIZE).every((b) => b === 0)).toBe(true);
  expect(m.counters().framesZeroed).toBe(zeroedBefore + 1);
});

test("kalloc() gives a frame reference count 1; krefinc() adds one and krefcnt() reports it", () => {
  boot({ frames: 4 });
  const pa = kalloc()!;
  expect(krefcnt(pa)).toBe(1);
  krefinc(pa);
  krefinc(pa);
  expect(krefcnt(pa)).toBe(3);
  expect(krefcnt(pa + PGSIZE)).toBe(0); // never allocated
});

test("kfree() frees the frame only when its reference count drops to zero", () => {
  const m = boot({ frames: 4 });
  const pa = kalloc()!;
  m.writePhysical(pa, Uint8Array.of(42));
  krefinc(pa);
  krefinc(pa);
  const free = kfreecount();

  kfree(pa);
  kfree(pa);
  expect(krefcnt(pa)).toBe(1);
  expect(kfreecount()).toBe(free);
  expect(m.counters().framesFreed).toBe(0);
  expect(m.peekPhysical(pa, 1)[0]).toBe(42); // still the sharers' data, not junk

  kfree(pa);
  expect(krefcnt(pa)).toBe(0);
  expect(kfreecount()).toBe(free + 1);
  expect(m.counters().framesFreed).toBe(1);
  expect(m.counters().framesInUse).toBe(0);
  expect(m.peekPhysical(pa, 1)[0]).toBe(JUNK);
});

test("kfree() of a free frame panics naming the frame", () => {
  boot({ frames: 4 });
  kalloc();
  const pa = kalloc()!; // frame 1, pa 0x1000
  kfree(pa);
  expect(panicOf(() => kfree(pa))).toBe("kfree: frame 0x00001000 is already free");
  expect(panicOf(() => kfree(3 * PGSIZE))).toBe("kfree: frame 0x00003000 is already free");
});

test("krefinc() of a free frame and kfree() of an address that is no frame panic", () => {
  boot({ frames: 4 });
  expect(panicOf(() => krefinc(2 * PGSIZE))).toBe("krefinc: frame 0x00002000 is free");
  expect(panicOf(() => kfree(0x10))).toBe("kfree: 0x00000010 is not the address of a frame");
  expect(panicOf(() => kfree(4 * PGSIZE))).toBe("kfree: 0x00004000 is not the address of a frame");
});
