// The user address-space layout (SCENARIOS.md, "Address space"):
//
//   0x00000000  +------------------+  never mapped (a null pointer faults)
//   0x00010000  | text   r-x       |  mapped at load, bytes = low byte of va
//               | data   rw-       |  mapped at load, bytes = low byte of va
//               | bss    rw-       |  zero-filled on first touch
//        heap   | heap   rw-  ...  |  from the page after bss, grows up (sbrk)
//               |       (free)     |
//       stack   | stack  rw-       |  zero-filled on first touch
//   0x80000000  +------------------+  top of the stack; nothing above

import { PGROUNDUP, PGSIZE, PTE_R, PTE_U, PTE_W, PTE_X } from "../hw/riscv";

export const TEXT_START = 0x00010000;
export const STACK_TOP = 0x80000000;

/** A program image: a count of pages per segment. */
export interface Image {
  readonly text: number;
  readonly data: number;
  readonly bss: number;
  readonly stack: number;
}

/** Where an image's segments sit. Every address is page-aligned. */
export interface Layout {
  readonly text: number;
  readonly data: number;
  readonly bss: number;
  readonly heap: number; // the program break at load
  readonly stack: number; // lowest address of the stack
}

export type RegionName = "text" | "data" | "bss" | "heap" | "stack";

/** A range of user addresses and how its pages are mapped. */
export interface Region {
  readonly name: RegionName;
  readonly start: number;
  readonly end: number; // one past the last byte
  readonly perm: number; // PTE permission bits for its pages
  readonly onDemand: boolean; // mapped zero-filled at first touch
}

/** The layout of `image`, or an error naming why it does not fit below the stack. */
export function layoutOf(image: Image): Layout | string {
  const data = TEXT_START + image.text * PGSIZE;
  const bss = data + image.data * PGSIZE;
  const heap = bss + image.bss * PGSIZE;
  const stack = STACK_TOP - image.stack * PGSIZE;
  if (heap + PGSIZE > stack) {
    return `its ${image.text + image.data + image.bss} pages of text, data and bss and ${image.stack} of stack do not fit in the 2 GiB user address space`;
  }
  return { text: TEXT_START, data, bss, heap, stack };
}

/** The regions of a process with layout `l` and program break `brk`, lowest first. */
export function regionsOf(l: Layout, brk: number): Region[] {
  const RX = PTE_R | PTE_X | PTE_U;
  const RW = PTE_R | PTE_W | PTE_U;
  return [
    { name: "text", start: l.text, end: l.data, perm: RX, onDemand: false },
    { name: "data", start: l.data, end: l.bss, perm: RW, onDemand: false },
    { name: "bss", start: l.bss, end: l.heap, perm: RW, onDemand: true },
    { name: "heap", start: l.heap, end: PGROUNDUP(brk), perm: RW, onDemand: true },
    { name: "stack", start: l.stack, end: STACK_TOP, perm: RW, onDemand: true },
  ];
}

/** The region holding `va`, or null when `va` is outside every region. */
export function regionAt(l: Layout, brk: number, va: number): Region | null {
  for (const r of regionsOf(l, brk)) if (va >= r.start && va < r.end) return r;
  return null;
}

/** The highest break sbrk may set: one guard page below the stack. */
export function maxBrk(l: Layout): number {
  return l.stack - PGSIZE;
}
