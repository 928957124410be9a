// The physical frame allocator: a free pool and a reference count per frame.
//
// A frame is free exactly when its reference count is 0. kalloc() hands out
// a zero-filled frame with count 1; krefinc() adds a sharer (fork's COW);
// kfree() drops one reference and returns the frame to the pool only when
// the last one goes, filling it with junk so that a dangling use shows.
// Without a seed the pool hands frames out in ascending order from frame 0;
// with one, in an order shuffled by it.

import { hex8 } from "../hw/_format";
import { PGSIZE } from "../hw/riscv";
import { seededRandom } from "./_random";
import { hart } from "./hart";
import { panic } from "./panic";
import { record } from "./trace";

let refcount = new Int32Array(0);
let pagetable = new Uint8Array(0); // 1 for frames holding a page table
let pool = new Int32Array(0); // a stack of free frame numbers; top at pool[top-1]
let top = 0;

/** Fills the free pool with every frame of the machine (boot does this). */
export function kinit(frames: number, seed?: number): void {
  refcount = new Int32Array(frames);
  pagetable = new Uint8Array(frames);
  pool = new Int32Array(frames);
  for (let i = 0; i < frames; i++) pool[i] = frames - 1 - i; // frame 0 on top
  if (seed !== undefined) shuffle(pool, seededRandom(seed));
  top = frames;
}

/** Allocates a zero-filled frame with reference count 1; null when none is free. */
export function kalloc(): number | null {
  return allocate(false);
}

/** kalloc() for a page-table page (counted in pageTableFrames). */
export function kallocPagetable(): number | null {
  return allocate(true);
}

/**
 * Drops one reference to the frame at `pa`; when it was the last, the frame
 * is junk-filled and returned to the pool. Panics on an address that is not
 * an allocated frame.
 */
export function kfree(pa: number): void {
  const f = frameOf(pa, "kfree");
  if (refcount[f] === 0) panic(`kfree: frame 0x${hex8(pa)} is already free`);
  if (--refcount[f]! > 0) return;
  hart().junkFrame(pa);
  hart().noteFreed(pagetable[f] === 1, pa);
  pagetable[f] = 0;
  pool[top++] = f;
  record({ kind: "free", pa });
}

/** Adds a reference to the allocated frame at `pa`. */
export function krefinc(pa: number): void {
  const f = frameOf(pa, "krefinc");
  if (refcount[f] === 0) panic(`krefinc: frame 0x${hex8(pa)} is free`);
  refcount[f]!++;
}

/** The number of references to the frame at `pa` (0 when it is free). */
export function krefcnt(pa: number): number {
  return refcount[frameOf(pa, "krefcnt")]!;
}

/** Frames in the free pool now. */
export function kfreecount(): number {
  return top;
}

/** The physical addresses of every allocated frame, lowest first. */
export function kallocated(): number[] {
  const out: number[] = [];
  for (let f = 0; f < refcount.length; f++) if (refcount[f]! > 0) out.push(f * PGSIZE);
  return out;
}

/** Whether the frame at `pa` was allocated as a page-table page. */
export function kispagetable(pa: number): boolean {
  return pagetable[frameOf(pa, "kispagetable")] === 1;
}

function allocate(isPagetable: boolean): number | null {
  if (top === 0) return null;
  const f = pool[--top]!;
  const pa = f * PGSIZE;
  refcount[f] = 1;
  pagetable[f] = isPagetable ? 1 : 0;
  hart().zeroFrame(pa);
  hart().noteAllocated(isPagetable, pa);
  record({ kind: "alloc", pa, pageTable: isPagetable });
  return pa;
}

function frameOf(pa: number, fn: string): number {
  if (!Number.isInteger(pa) || pa % PGSIZE !== 0 || pa < 0 || pa >= refcount.length * PGSIZE) {
    panic(`${fn}: 0x${hex8(pa)} is not the address of a frame`);
  }
  return pa / PGSIZE;
}

function shuffle(a: Int32Array, random: (n: number) => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = random(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
