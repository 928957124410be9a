// The kernel's public face, for the scenario runner, tools and tests.

export { boot, type BootOptions, DEFAULT_FRAMES, DEFAULT_TLB_ENTRIES } from "./main";
export {
  type Proc,
  type ProcState,
  type Signal,
  type Resident,
  allprocs,
  alive,
  fork,
  exit,
  kill,
  wait,
  sbrk,
  switchTo,
  myproc,
  resident,
} from "./proc";
export { spawn, exec } from "./exec";
export { type Image, type Layout, TEXT_START, STACK_TOP, layoutOf, regionsOf } from "./layout";
export { audit } from "./audit";
export { mappings, tablePages, peekPte, type Mapping } from "./inspect";
export { krefcnt, kfreecount, kallocated, kispagetable } from "./kalloc";
export { traceEvents, type TraceEvent, type FaultResolution } from "./trace";
export { KernelPanic, NotImplemented } from "./panic";
export { hart } from "./hart";
