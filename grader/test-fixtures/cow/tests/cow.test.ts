// Fixture hidden suite (the grader's own tests): the COW fault and teardown.
import { PGSIZE } from "@lab/hw/riscv";
import { Machine } from "@lab/hw/machine";
import { boot, exit, fork, spawn, switchTo, wait } from "@lab/kernel/index";

const BSS = 0x15000;
let machine: Machine;

beforeEach(() => {
  machine = boot({ frames: 128 });
});

test("B1 a child's store copies the frame and leaves the parent's data", () => {
  const parent = spawn("init", { text: 4, data: 1, bss: 1, stack: 1 });
  if (parent === "ENOMEM") throw new Error("spawn: ENOMEM");
  switchTo(parent);
  machine.fill(BSS, 1, PGSIZE);
  const child = fork(parent);
  if (child === "ENOMEM") throw new Error("fork: ENOMEM");
  switchTo(child);
  expect(machine.fill(BSS, 2, 4)).toBe("ok");
  switchTo(parent);
  expect([...(machine.load(BSS, 2) as Uint8Array)]).toEqual([1, 1]);
  expect(machine.counters().cowCopies).toBe(1);
});

test("C1 after every process exits, the frames in use are back to where they started", () => {
  const start = machine.counters().framesInUse;
  const p = spawn("init", { text: 2, data: 1, bss: 1, stack: 1 });
  if (p === "ENOMEM") throw new Error("spawn: ENOMEM");
  exit(p, 0);
  expect(machine.counters().framesInUse).toBe(start);
});

test("C1 a parent and child both exit without leaking", () => {
  const start = machine.counters().framesInUse;
  const p = spawn("init", { text: 2, data: 1, bss: 1, stack: 1 });
  if (p === "ENOMEM") throw new Error("spawn: ENOMEM");
  const c = fork(p);
  if (c === "ENOMEM") throw new Error("fork: ENOMEM");
  exit(c, 0);
  wait(p, null);
  exit(p, 0);
  expect(machine.counters().framesInUse).toBe(start);
});
