// Fixture hidden suite (the grader's own tests): fork's page-table copy.
import { PGSIZE, PTE_COW, PTE_W } from "@lab/hw/riscv";
import { Proc, boot, fork, peekPte, spawn, switchTo } from "@lab/kernel/index";
import { Machine } from "@lab/hw/machine";

const BSS = 0x15000;
let machine: Machine;

function parentWithBss(): Proc {
  machine = boot({ frames: 128 });
  const p = spawn("init", { text: 4, data: 1, bss: 2, stack: 1 });
  if (p === "ENOMEM") throw new Error("spawn: ENOMEM");
  switchTo(p);
  expect(machine.fill(BSS, 7, 2 * PGSIZE)).toBe("ok");
  return p;
}

describe("fork", () => {
  test("A1 child maps the parent's frames", () => {
    const parent = parentWithBss();
    const child = fork(parent);
    if (child === "ENOMEM") throw new Error("fork: ENOMEM");
    expect(peekPte(child.pagetable!, BSS) >>> 10).toBe(peekPte(parent.pagetable!, BSS) >>> 10);
  });

  test("A1 fork copies no frame", () => {
    const parent = parentWithBss();
    const before = machine.counters().framesCopied;
    fork(parent);
    expect(machine.counters().framesCopied - before).toBe(0);
  });

  test("A2 writable pages become COW in the parent", () => {
    const parent = parentWithBss();
    fork(parent);
    const pte = peekPte(parent.pagetable!, BSS);
    expect(pte & PTE_W).toBe(0);
    expect(pte & PTE_COW).not.toBe(0);
  });
});
