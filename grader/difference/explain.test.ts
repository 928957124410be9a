// explainRun() on the kit's own kernel: a threshold scenario run with an
// edit point that makes one classic mistake, against the reference's, must
// come back with the difference that names that mistake, where it happened.

import path from "node:path";
import {
  PA2PTE,
  PGROUNDDOWN,
  PGSIZE,
  PTE2PA,
  PTE_A,
  PTE_COW,
  PTE_D,
  PTE_FLAGS,
  PTE_V,
  PTE_W,
  kalloc,
  kfree,
  mappages,
  mappedPages,
  memmove,
  readPte,
  sfence_vma,
  walk,
  writePte,
} from "@lab/kernel/defs";
import type { CowResult } from "@lab/kernel/cow";
import { Proc, boot, exit, fork, hart, spawn, switchTo } from "@lab/kernel/index";
import * as cowModule from "@lab/kernel/cow";
import * as uvmcopyModule from "@lab/kernel/uvmcopy";
import * as uvmfreeModule from "@lab/kernel/uvmfree";
import { loadScenario } from "@lab/scenario/parse";
import { runScenario } from "@lab/scenario/run";
import * as reference from "../../labs/cow/tests/support/reference";
import { acceptDifference } from "./accept";
import { Difference, MAX_TEXT } from "./difference";
import { EditPointSlot, explainRun } from "./explain";
import { labKernelAt } from "./lab-kernel";

const ROOT = path.join(__dirname, "..", "..");
/** The solution's kernel: the modules "@lab/..." names under Jest. */
const lab = labKernelAt(path.join(ROOT, "solution", "src"));
const THRESHOLDS = path.join(__dirname, "..", "..", "labs", "cow", "thresholds");

const slots: EditPointSlot[] = [
  { module: uvmcopyModule as unknown as Record<string, unknown>, name: "uvmcopy" },
  { module: cowModule as unknown as Record<string, unknown>, name: "cowfault" },
  { module: uvmfreeModule as unknown as Record<string, unknown>, name: "uvmfree" },
];

/** The difference for `scenario` when `mistake` replaces its edit point, the other two the reference's. */
async function explainWith(scenario: string, name: string, mistake: unknown): Promise<Difference | null> {
  const slot = slots.find((s) => s.name === name)!;
  const saved = slots.map((s) => s.module[s.name]);
  slots.forEach((s) => (s.module[s.name] = (reference as Record<string, unknown>)[s.name]));
  slot.module[name] = mistake;
  try {
    const file = path.join(THRESHOLDS, scenario);
    return await explainRun((onStep) => runScenario(loadScenario(file), { onStep }), { lab, slots, reference });
  } finally {
    slots.forEach((s, i) => (s.module[s.name] = saved[i]));
  }
}

/** uvmcopy() that shares every page but never raises the frame's reference count. */
function uvmcopyWithoutKrefinc(parent: number, child: number, asid: number): number {
  for (const va of mappedPages(parent)) {
    const ptep = walk(parent, va, false)!;
    let pte = readPte(ptep);
    if (pte & PTE_W) writePte(ptep, (pte = (pte & ~PTE_W) | PTE_COW));
    if (mappages(child, va, PGSIZE, PTE2PA(pte), PTE_FLAGS(pte) & ~(PTE_V | PTE_A | PTE_D)) < 0) return -1;
  }
  sfence_vma(null, asid);
  return 0;
}

/** cowfault() that copies every time, even when its mapping holds the frame's last reference. */
function cowfaultAlwaysCopies(pagetable: number, va: number, asid: number): CowResult {
  const page = PGROUNDDOWN(va);
  const ptep = walk(pagetable, page, false);
  if (ptep === null || !(readPte(ptep) & PTE_COW)) return "not-cow";
  const pte = readPte(ptep);
  const copy = kalloc();
  if (copy === null) return "out-of-memory";
  memmove(copy, PTE2PA(pte), PGSIZE);
  writePte(ptep, PA2PTE(copy) | ((PTE_FLAGS(pte) | PTE_W) & ~PTE_COW));
  kfree(PTE2PA(pte));
  sfence_vma(page, asid);
  return "ok";
}

describe("explainRun", () => {
  it("finds nothing when the submission's edit points are the reference's", async () => {
    await expect(explainWith("child-writes-k-pages.json", "cowfault", reference.cowfault)).resolves.toBeNull();
  });

  it("names a reference count fork did not raise, right after uvmcopy() returned, by the scenario's names", async () => {
    const d = await explainWith("fork-copies-nothing.json", "uvmcopy", uvmcopyWithoutKrefinc);
    expect(d).toMatchObject({ kind: "refcount", at: { kind: "call", fn: "uvmcopy" } });
    if (d?.kind !== "refcount") throw new Error("not a refcount difference");
    expect(d.actual).toBe(d.expected - 1);
    expect(d.page.process.name).not.toBeNull();
  });

  it("sees the first call's change against the state before it, in a run without steps (a test's)", async () => {
    const saved = cowModule.cowfault;
    (cowModule as Record<string, unknown>).cowfault = cowfaultAlwaysCopies;
    try {
      const d = await explainRun(
        () => {
          boot();
          const parent = spawn("init", { text: 4, data: 1, bss: 1, stack: 1 }) as Proc;
          switchTo(parent);
          hart().fill(0x15000, 0x11, 4096); // bss is zero-filled on demand: touch it before the fork
          const child = fork(parent) as Proc;
          exit(child, 0);
          switchTo(parent);
          hart().store(0x15000, Uint8Array.of(1));
        },
        { lab, slots, reference },
      );
      expect(d).toMatchObject({
        kind: "copied-instead-of-reused",
        at: { fn: "cowfault", va: 0x15000 },
        page: { va: 0x15000 },
      });
    } finally {
      (cowModule as Record<string, unknown>).cowfault = saved;
    }
  });

  it("cuts what a function returned to what the parent accepts", async () => {
    const long = "x".repeat(500);
    const d = await explainWith("child-writes-k-pages.json", "cowfault", () => long);
    expect(d).toMatchObject({ kind: "returned", expected: "ok", actual: "x".repeat(MAX_TEXT) });
    expect(acceptDifference(d)).toEqual(d);
  });

  it("names a copy made where the reference reused the frame", async () => {
    const d = await explainWith("survivor-reuses.json", "cowfault", cowfaultAlwaysCopies);
    expect(d).toMatchObject({ kind: "copied-instead-of-reused", at: { kind: "call", fn: "cowfault" } });
  });
});
