// Physical memory: `frames` frames of PGSIZE bytes at physical addresses
// 0 .. frames*PGSIZE-1. Bytes are really stored and really copied, but a
// frame costs host memory only while it holds bytes other than all zeros
// or the free-frame junk pattern, so a 1 GiB machine that touches 50 MiB
// costs about 50 MiB.
//
// Storage: a frame either has no backing (and reads as all 0x00 or all
// JUNK) or owns a 4 KiB slot in one of the slabs. Slots are recycled.

import { PGSIZE, PGSHIFT, PTE2PA } from "./riscv";

/** The byte a freed frame reads as, so that a use after free shows. */
export const JUNK = 0x6b;

const SLOTS_PER_SLAB = 64; // 256 KiB per slab
const NO_SLOT = -1;
const FILL_ZERO = 0;
const FILL_JUNK = 1;

/** A PTE read from a freed frame: four JUNK bytes. */
const JUNK_PTE = JUNK * 0x01010101;

/**
 * Thrown when something touches a physical address past the end of memory. An address in the
 * page a JUNK PTE points to came from a page table read after it was freed: the message says so.
 */
export class PhysicalAccessError extends Error {
  constructor(pa: number, frames: number) {
    const fromJunk = Math.floor(pa / PGSIZE) * PGSIZE === PTE2PA(JUNK_PTE);
    super(
      `Physical address 0x${pa.toString(16)} is outside physical memory ` +
        `(${frames} frames end at 0x${(frames * PGSIZE).toString(16)})` +
        (fromJunk
          ? `: it comes from a PTE that holds 0x${JUNK_PTE.toString(16)}, the junk a freed frame is filled with: ` +
            "was this page table freed before it was read?"
          : ""),
    );
    this.name = "PhysicalAccessError";
  }
}

/** What the memory tells its owner about frame-level operations, for counting. */
export interface MemoryObserver {
  frameCopied(): void;
  frameZeroed(): void;
}

export class PhysicalMemory {
  readonly frames: number;
  readonly size: number; // bytes
  #slot: Int32Array; // frame -> slot, or NO_SLOT
  #fill: Uint8Array; // for unbacked frames: FILL_ZERO or FILL_JUNK
  #slabs: Uint8Array[] = [];
  #words: Uint32Array[] = []; // 32-bit views of the slabs (little-endian hosts)
  #freeSlots: number[] = [];
  #observer: MemoryObserver;

  constructor(frames: number, observer: MemoryObserver) {
    if (!Number.isInteger(frames) || frames < 1 || frames > 2 ** 22) {
      throw new RangeError(`Cannot build physical memory of ${frames} frames: Sv32 allows 1 to ${2 ** 22}`);
    }
    this.frames = frames;
    this.size = frames * PGSIZE;
    this.#slot = new Int32Array(frames).fill(NO_SLOT);
    this.#fill = new Uint8Array(frames);
    this.#observer = observer;
  }

  /** Whether `pa` is a byte of physical memory. */
  contains(pa: number): boolean {
    return pa >= 0 && pa < this.size;
  }

  /** Frames that currently hold host memory (a measure of host cost). */
  get backedFrames(): number {
    return this.#slabs.length * SLOTS_PER_SLAB - this.#freeSlots.length;
  }

  /** Reads the 32-bit little-endian word at `pa` (4-byte aligned). */
  read32(pa: number): number {
    const frame = this.#frameOf(pa);
    const slot = this.#slot[frame]!;
    if (slot === NO_SLOT) {
      return this.#fill[frame] === FILL_JUNK ? JUNK * 0x01010101 : 0;
    }
    return this.#words[slot >> 6]![((slot & 63) << 10) + ((pa & 0xfff) >> 2)]!;
  }

  /** Writes the 32-bit little-endian word at `pa` (4-byte aligned). */
  write32(pa: number, value: number): void {
    const slot = this.#backing(this.#frameOf(pa));
    this.#words[slot >> 6]![((slot & 63) << 10) + ((pa & 0xfff) >> 2)] = value;
  }

  /** Copies `length` bytes starting at `pa` (within one frame) out of memory. */
  read(pa: number, length: number): Uint8Array {
    const frame = this.#frameOf(pa);
    this.#checkSpan(pa, length);
    const slot = this.#slot[frame]!;
    if (slot === NO_SLOT) {
      return new Uint8Array(length).fill(this.#fill[frame] === FILL_JUNK ? JUNK : 0);
    }
    const start = this.#offset(slot, pa);
    return this.#slabs[slot >> 6]!.slice(start, start + length);
  }

  /** Stores `bytes` at `pa` (within one frame). */
  write(pa: number, bytes: Uint8Array): void {
    this.#checkSpan(pa, bytes.length);
    const slot = this.#backing(this.#frameOf(pa));
    this.#slabs[slot >> 6]!.set(bytes, this.#offset(slot, pa));
  }

  /** Stores `value` into `length` bytes at `pa` (within one frame). */
  fill(pa: number, value: number, length: number): void {
    this.#checkSpan(pa, length);
    const frame = this.#frameOf(pa);
    if (length === PGSIZE && (value === 0 || value === JUNK)) {
      this.#drop(frame, value === 0 ? FILL_ZERO : FILL_JUNK); // whole frame, no bytes needed
      return;
    }
    const slot = this.#backing(frame, length === PGSIZE);
    const start = this.#offset(slot, pa);
    this.#slabs[slot >> 6]!.fill(value, start, start + length);
  }

  /** Copies the whole frame at `srcPa` over the frame at `dstPa`; counted. */
  copyFrame(dstPa: number, srcPa: number): void {
    const dst = this.#frameOf(dstPa);
    const src = this.#frameOf(srcPa);
    this.#observer.frameCopied();
    if (dst === src) return;
    const srcSlot = this.#slot[src]!;
    if (srcSlot === NO_SLOT) {
      this.#drop(dst, this.#fill[src]!);
      return;
    }
    const dstSlot = this.#backing(dst, true);
    const from = this.#offset(srcSlot, 0);
    this.#slabs[dstSlot >> 6]!.set(this.#slabs[srcSlot >> 6]!.subarray(from, from + PGSIZE), this.#offset(dstSlot, 0));
  }

  /** Fills the frame at `pa` with zeros; counted. */
  zeroFrame(pa: number): void {
    this.#observer.frameZeroed();
    this.#drop(this.#frameOf(pa), FILL_ZERO);
  }

  /** Fills the frame at `pa` with JUNK (lazily: no host memory kept); not counted. */
  junkFrame(pa: number): void {
    this.#drop(this.#frameOf(pa), FILL_JUNK);
  }

  #frameOf(pa: number): number {
    if (!(pa >= 0 && pa < this.size)) throw new PhysicalAccessError(pa, this.frames);
    return pa >>> PGSHIFT;
  }

  #checkSpan(pa: number, length: number): void {
    if ((pa & (PGSIZE - 1)) + length > PGSIZE) {
      throw new RangeError(`Physical access of ${length} bytes at 0x${pa.toString(16)} crosses a frame boundary`);
    }
  }

  #offset(slot: number, pa: number): number {
    return ((slot & 63) << PGSHIFT) + (pa & (PGSIZE - 1));
  }

  // Gives `frame` a slot holding its current contents, and returns the slot.
  // With `overwrite` the caller is about to store all 4096 bytes, so a new
  // slot is not filled first (a COW copy would otherwise write it twice).
  #backing(frame: number, overwrite = false): number {
    const existing = this.#slot[frame]!;
    if (existing !== NO_SLOT) return existing;
    let slot = this.#freeSlots.pop();
    if (slot === undefined) {
      const slab = new Uint8Array(SLOTS_PER_SLAB * PGSIZE);
      this.#slabs.push(slab);
      this.#words.push(new Uint32Array(slab.buffer));
      const base = (this.#slabs.length - 1) * SLOTS_PER_SLAB;
      for (let i = SLOTS_PER_SLAB - 1; i > 0; i--) this.#freeSlots.push(base + i);
      slot = base;
    }
    if (!overwrite) {
      const start = this.#offset(slot, 0);
      this.#slabs[slot >> 6]!.fill(this.#fill[frame] === FILL_JUNK ? JUNK : 0, start, start + PGSIZE);
    }
    this.#slot[frame] = slot;
    return slot;
  }

  // Releases `frame`'s slot; from now on it reads as all zero or all JUNK.
  #drop(frame: number, fill: number): void {
    const slot = this.#slot[frame]!;
    if (slot !== NO_SLOT) {
      this.#freeSlots.push(slot);
      this.#slot[frame] = NO_SLOT;
    }
    this.#fill[frame] = fill;
  }
}

// The 32-bit views above assume a little-endian host, as RISC-V memory is.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error("oslab needs a little-endian host: RISC-V memory is little-endian");
}
