// The event trace: what the kernel did, in order, for the trace viewer,
// the reports and the handout's figures. Off unless a run asks for it, so
// that it costs nothing on the hot paths.

import { TrapAction } from "../hw/machine";

/** How the kernel resolved a fault. */
export type FaultResolution = "cow-copy" | "cow-reuse" | "demand-zero" | TrapAction;

export type TraceEvent =
  | {
      kind: "fault";
      pid: number;
      va: number;
      scause: number;
      priv: "U" | "S";
      resolution: FaultResolution;
      pteBefore: number | null;
      pteAfter: number | null;
      frameBefore: number | null;
      frameAfter: number | null;
      refBefore: number | null;
      refAfter: number | null;
    }
  | { kind: "fence"; va: number | null; asid: number | null }
  | { kind: "alloc"; pa: number; pageTable: boolean }
  | { kind: "free"; pa: number }
  | { kind: "syscall"; pid: number; name: string; result: string }
  | { kind: "step"; index: number; path: string };

let events: TraceEvent[] | null = null;

/** Starts recording (clearing any earlier trace), or stops when `on` is false. */
export function traceon(on: boolean): void {
  events = on ? [] : null;
}

/** Whether events are being recorded. */
export function tracing(): boolean {
  return events !== null;
}

/** Records `event` when tracing is on. */
export function record(event: TraceEvent): void {
  if (events !== null) events.push(event);
}

/** The events recorded since traceon(true). */
export function traceEvents(): readonly TraceEvent[] {
  return events ?? [];
}
