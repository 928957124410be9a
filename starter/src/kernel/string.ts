// Moving bytes between physical frames, as xv6's string.c.

import { PGSIZE } from "../hw/riscv";
import { hart } from "./hart";
import { panic } from "./panic";

/**
 * Copies `n` bytes from physical address `src` to `dst`. A whole,
 * page-aligned frame is copied in one operation; other sizes must stay
 * within one frame each side. The machine counts the destination frame in
 * framesCopied once per allocation, however the copy is split.
 */
export function memmove(dst: number, src: number, n: number): void {
  if (n === PGSIZE && dst % PGSIZE === 0 && src % PGSIZE === 0) {
    hart().copyFrame(dst, src);
    return;
  }
  if ((dst % PGSIZE) + n > PGSIZE || (src % PGSIZE) + n > PGSIZE) {
    panic(`memmove: ${n} bytes from 0x${src.toString(16)} to 0x${dst.toString(16)} cross a frame boundary`);
  }
  hart().copyPhysical(dst, src, n);
}
