// Booting: a fresh machine and a fresh kernel on it.

import { Machine } from "../hw/machine";
import { asidinit } from "./asid";
import { attach } from "./hart";
import { kinit } from "./kalloc";
import { procinit } from "./proc";
import { traceon } from "./trace";
import { usertrap } from "./trap";

export interface BootOptions {
  /** Physical memory in 4096-byte frames (default 32768: 128 MiB). */
  frames?: number;
  /** TLB entries (default 64; 0: no TLB). */
  tlbEntries?: number;
  /** Shuffles the free pool's order by this seed. */
  seed?: number;
  /** ASIDs the machine has, 0 included (default 512, Sv32's 9 bits). */
  asids?: number;
  /** Machine steps before a runaway kernel loop is stopped. */
  stepBudget?: number;
  /** Record the event trace. */
  trace?: boolean;
}

export const DEFAULT_FRAMES = 32768;
export const DEFAULT_TLB_ENTRIES = 64;

/** Builds a machine, boots a kernel on it, and returns the machine. */
export function boot(options: BootOptions = {}): Machine {
  const frames = options.frames ?? DEFAULT_FRAMES;
  const m = new Machine({
    frames,
    tlbEntries: options.tlbEntries ?? DEFAULT_TLB_ENTRIES,
    ...(options.stepBudget !== undefined ? { stepBudget: options.stepBudget } : {}),
  });
  attach(m, usertrap);
  kinit(frames, options.seed);
  asidinit(options.asids);
  procinit();
  traceon(options.trace ?? false);
  return m;
}
