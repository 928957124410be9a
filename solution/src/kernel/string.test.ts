// memmove and the machine's framesCopied: a frame counts as copied once per
// allocation however the kernel splits the copy, and through every helper
// of defs.ts that writes physical memory.

import { PGSIZE } from "../hw/riscv";
import { memmove, readPte, writePte } from "./defs";
import { boot, hart } from "./index";
import { kalloc, kfree } from "./kalloc";
import * as stringModule from "./string";
import { DATA, forkOk, frameOf, load, spawnOk, store } from "./test-support";

afterEach(() => jest.restoreAllMocks());

// Two allocated frames, the first filled with a pattern (byte i is i*7+3).
function twoFrames(): { src: number; dst: number; pattern: Uint8Array } {
  const src = kalloc()!;
  const dst = kalloc()!;
  const pattern = Uint8Array.from({ length: PGSIZE }, (_, i) => (i * 7 + 3) & 0xff);
  hart().writePhysical(src, pattern);
  return { src, dst, pattern };
}

function framesCopied(): number {
  return hart().counters().framesCopied;
}

test("memmove of a whole frame copies every byte and counts one frame copied", () => {
  boot();
  const { src, dst, pattern } = twoFrames();
  memmove(dst, src, PGSIZE);
  expect(hart().peekPhysical(dst, PGSIZE)).toEqual(pattern);
  expect(framesCopied()).toBe(1);
});

test("a frame copied in two half-page memmoves counts as one frame copied", () => {
  boot();
  const { src, dst, pattern } = twoFrames();
  memmove(dst, src, PGSIZE / 2);
  memmove(dst + PGSIZE / 2, src + PGSIZE / 2, PGSIZE / 2);
  expect(hart().peekPhysical(dst, PGSIZE)).toEqual(pattern);
  expect(framesCopied()).toBe(1);
});

test("a frame copied in 4096 one-byte memmoves counts as one frame copied", () => {
  boot();
  const { src, dst, pattern } = twoFrames();
  for (let i = 0; i < PGSIZE; i++) memmove(dst + i, src + i, 1);
  expect(hart().peekPhysical(dst, PGSIZE)).toEqual(pattern);
  expect(framesCopied()).toBe(1);
});

test("a frame copied word by word with readPte and writePte counts as one frame copied", () => {
  boot();
  const { src, dst, pattern } = twoFrames();
  for (let off = 0; off < PGSIZE; off += 4) writePte(dst + off, readPte(src + off));
  expect(hart().peekPhysical(dst, PGSIZE)).toEqual(pattern);
  expect(framesCopied()).toBe(1);
});

test("a frame copied word by word after reading the whole source first counts as one frame copied", () => {
  boot();
  const { src, dst } = twoFrames();
  const words: number[] = [];
  for (let off = 0; off < PGSIZE; off += 4) words.push(readPte(src + off));
  words.forEach((w, i) => writePte(dst + i * 4, w));
  expect(framesCopied()).toBe(1);
});

test("copying into the same frame again before it is freed counts no second copy; after kfree and kalloc it counts again", () => {
  boot();
  const { src, dst } = twoFrames();
  memmove(dst, src, PGSIZE);
  memmove(dst, src, 16);
  expect(framesCopied()).toBe(1);
  kfree(dst);
  const again = kalloc()!;
  expect(again).toBe(dst); // the pool hands the freed frame straight back
  memmove(again, src, 16);
  expect(framesCopied()).toBe(2);
});

test("moving bytes within one frame copies nothing from another frame and counts nothing", () => {
  boot();
  const { src } = twoFrames();
  memmove(src + 100, src, 50);
  writePte(src + 8, readPte(src + 4));
  expect(framesCopied()).toBe(0);
});

test("a COW fault resolved with a copy in two half-page memmoves counts as a copy, not a reuse", () => {
  const real = stringModule.memmove;
  const split = jest.spyOn(stringModule, "memmove").mockImplementation((dst, src, n) => {
    if (n !== PGSIZE) return real(dst, src, n);
    real(dst, src, PGSIZE / 2);
    real(dst + PGSIZE / 2, src + PGSIZE / 2, PGSIZE / 2);
  });
  const m = boot();
  const p = spawnOk();
  const c = forkOk(p);
  const shared = frameOf(p, DATA);
  expect(store(c, DATA + 20, [0x77])).toBe("ok");
  expect(split).toHaveBeenCalledWith(frameOf(c, DATA), shared, PGSIZE);
  expect(frameOf(c, DATA)).not.toBe(shared);
  expect(load(c, DATA + 9, 1)).toEqual([9]);
  expect(m.counters()).toMatchObject({ cowFaults: 1, cowCopies: 1, cowReuses: 0, framesCopied: 1 });
});
