// Small helpers the lab's tests use to drive the machine: boot it, start a
// process, store and load through the MMU as the process would, and look at
// page-table entries without changing anything. A store returns what
// happened during it (its faults, from the kernel's trace) so that a
// matcher can say why it failed.

import path from "node:path";
import { Counters, Machine } from "../../src/hw/machine";
import { PGSIZE, PTE2PA, PTE_V } from "../../src/hw/riscv";
import {
  BootOptions,
  Proc,
  TraceEvent,
  boot,
  fork,
  kfreecount,
  krefcnt,
  peekPte,
  spawn,
  switchTo,
  traceEvents,
} from "../../src/kernel/index";

import { loadGrading } from "../engine/_grading";

export { fork, exec, exit, wait, sbrk, audit, krefcnt, mappings } from "../../src/kernel/index";

/** The grader's step budget for one test (tests/engine/grading.json): a local run stops a loop where the grader does. */
const STEP_BUDGET = loadGrading(path.join(__dirname, "..", "..")).stepBudget;

/** The machine the current test booted. */
export let machine: Machine;

/**
 * Boots a fresh machine and kernel (default: 32768 frames, 64 TLB entries, the grader's step
 * budget), recording the kernel's trace.
 */
export function bootMachine(options: BootOptions = {}): Machine {
  machine = boot({ ...options, stepBudget: options.stepBudget ?? STEP_BUDGET, trace: true });
  return machine;
}

/** A process running the default image: 4 text pages, 1 data, 1 bss, 1 stack page. */
export function spawnInit(image = { text: 4, data: 1, bss: 1, stack: 1 }): Proc {
  const p = spawn("init", image);
  if (p === "ENOMEM") throw new Error("spawn failed: the test machine has too few frames");
  return p;
}

export type FaultEvent = Extract<TraceEvent, { kind: "fault" }>;
export type FenceEvent = Extract<TraceEvent, { kind: "fence" }>;

/** A store by a process, and what happened during it. */
export interface Store {
  readonly proc: Proc;
  readonly va: number;
  readonly length: number;
  /** What the machine said: "killed" when the process died of it. */
  readonly result: "ok" | "killed" | "failed";
  /** The page faults it took, in order. */
  readonly faults: readonly FaultEvent[];
  /** The PTE of its first page before it began (0 when none). */
  readonly pteBefore: number;
  /** Frames in the free pool before it began. */
  readonly freeBefore: number;
}

/** `p` stores `bytes` at `va`. */
export function store(p: Proc, va: number, bytes: number[]): Store {
  return storing(p, va, bytes.length, () => machine.store(va, Uint8Array.from(bytes)));
}

/** `p` stores `value` into `length` bytes at `va` (memset). */
export function fill(p: Proc, va: number, value: number, length: number): Store {
  return storing(p, va, length, () => machine.fill(va, value, length));
}

function storing(p: Proc, va: number, length: number, access: () => Store["result"]): Store {
  const pteBefore = pteOf(p, va);
  const freeBefore = kfreecount();
  const { value: result, events } = traced(() => {
    switchTo(p);
    return access();
  });
  const faults = events.filter((e): e is FaultEvent => e.kind === "fault");
  return { proc: p, va, length, result, faults, pteBefore, freeBefore };
}

/** `p` loads `length` bytes at `va`; throws if the load killed it. */
export function load(p: Proc, va: number, length: number): number[] {
  const pte = pteOf(p, va);
  switchTo(p);
  const r = machine.load(va, length);
  if (!(r instanceof Uint8Array)) {
    const how = r === "killed" ? `killed by ${p.killedBy}` : r;
    throw new Error(
      `pid ${p.pid} was ${how} when it read ${length} byte${length === 1 ? "" : "s"} at 0x${hex(va)} ` +
        `(its PTE there was 0x${hex(pte)}): a page it maps must stay readable.`,
    );
  }
  return [...r];
}

/** `parent`'s child; throws, saying so, when fork fails on a machine with frames to spare. */
export function forked(parent: Proc): Proc {
  const free = kfreecount();
  const child = fork(parent);
  if (child === "ENOMEM") {
    throw new Error(
      `fork(pid ${parent.pid}) returned ENOMEM with ${free} free frames: uvmcopy() returned -1, which it may ` +
        `only do when mappages() fails for want of a frame.`,
    );
  }
  return child;
}

/** What changed while `body` ran: each counter's difference, and the kernel's trace events. */
export interface Change<T> {
  readonly value: T;
  readonly counters: Counters;
  readonly events: readonly TraceEvent[];
}

/** Runs `body` and returns its value with the counters' differences and the trace events it caused. */
export function during<T>(body: () => T): Change<T> {
  const before = machine.counters();
  const { value, events } = traced(body);
  const after = machine.counters();
  const counters = { ...after };
  for (const k of Object.keys(counters) as (keyof Counters)[]) counters[k] = after[k] - before[k];
  return { value, counters, events };
}

function traced<T>(body: () => T): { value: T; events: TraceEvent[] } {
  const from = traceEvents().length;
  const value = body();
  return { value, events: traceEvents().slice(from) };
}

/** The PTE that maps `va` in `p`'s page table (0 when there is none). */
export function pteOf(p: Proc, va: number): number {
  if (p.pagetable === null) return 0;
  return peekPte(p.pagetable, va);
}

/** The frame number `p` maps at `va`, or null when nothing is mapped there. */
export function frameOf(p: Proc, va: number): number | null {
  const pte = pteOf(p, va);
  return pte & PTE_V ? PTE2PA(pte) / PGSIZE : null;
}

/** The reference count of the frame `p` maps at `va` (null when nothing is mapped). */
export function refsAt(p: Proc, va: number): number | null {
  const frame = frameOf(p, va);
  return frame === null ? null : krefcnt(frame * PGSIZE);
}

/** `n` as eight hex digits. */
export function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
