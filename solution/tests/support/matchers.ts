// Jest matchers that check a COW kernel's state and, when it is wrong, say
// what your kernel did and what it should have done, in the handout's terms.

import { PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../../src/hw/riscv";
import { Proc, audit } from "../../src/kernel/index";
import { frameOf, hex, pteOf, refsAt } from "./harness";

type Result = { pass: boolean; message: () => string };

/** PTE flags as letters, e.g. "r-- u cow". */
export function flags(pte: number): string {
  if (!(pte & PTE_V)) return "not mapped";
  const rwx = (pte & PTE_R ? "r" : "-") + (pte & PTE_W ? "w" : "-") + (pte & PTE_X ? "x" : "-");
  return `${rwx}${pte & PTE_U ? " u" : ""}${pte & PTE_COW ? " cow" : ""}`;
}

function who(p: Proc): string {
  return `pid ${p.pid}`;
}

/** expect({ parent, child }).toShareCopyOnWrite(va): same frame, both read-only and COW. */
function toShareCopyOnWrite(pair: { parent: Proc; child: Proc }, va: number): Result {
  const { parent, child } = pair;
  const fp = frameOf(parent, va);
  const fc = frameOf(child, va);
  const at = `virtual page 0x${hex(va)}`;
  if (fc === null) {
    return fail(
      `after fork, the child has no mapping for ${at}, which the parent maps to frame ${fp}: uvmcopy must map every page the parent maps`,
    );
  }
  if (fp !== fc) {
    return fail(
      `after fork, parent and child map ${at} to frames ${fp} and ${fc}: fork copied the page. ` +
        `With copy-on-write the child's PTE must point at the parent's frame, and nothing is copied until someone writes`,
    );
  }
  const shared = `after fork, parent and child map ${at} to frames ${fp} and ${fc} (shared, good), but`;
  for (const [name, p] of [
    ["parent", parent],
    ["child", child],
  ] as const) {
    const pte = pteOf(p, va);
    if (pte & PTE_W) {
      const other = name === "parent" ? "child's" : "parent's";
      return fail(
        `${shared} the ${name}'s PTE is still writable (${flags(pte)}): a write by the ${name} would change the ${other} memory. Clear PTE_W`,
      );
    }
    if (!(pte & PTE_COW)) {
      return fail(
        `${shared} the ${name}'s PTE is not marked COW (${flags(pte)}): its first write will be taken for a real protection fault and the process killed. Set PTE_COW`,
      );
    }
  }
  return pass(`parent and child share frame ${fp} at ${at}, read-only and COW`);
}

/** expect({ parent, child }).toShareReadOnly(va): same frame, not writable, not COW (text). */
function toShareReadOnly(pair: { parent: Proc; child: Proc }, va: number): Result {
  const { parent, child } = pair;
  const fp = frameOf(parent, va);
  const fc = frameOf(child, va);
  if (fc === null || fp !== fc) {
    return fail(
      `after fork, the read-only page 0x${hex(va)} is mapped to frame ${fp} in the parent and ${fc ?? "nothing"} in the child: it must be shared, not copied`,
    );
  }
  const pte = pteOf(child, va);
  if (pte & PTE_COW) {
    return fail(
      `the read-only page 0x${hex(va)} (${flags(pte)}) was marked COW: only pages that were writable become COW, or a write to text would be "copied" instead of killing the process`,
    );
  }
  if (pte & PTE_W) return fail(`the read-only page 0x${hex(va)} became writable in the child (${flags(pte)})`);
  return pass(`frame ${fp} at 0x${hex(va)} is shared read-only and not COW`);
}

/** expect(p).toHaveRefCount(va, n): the frame p maps at va has n references. */
function toHaveRefCount(p: Proc, va: number, n: number): Result {
  const refs = refsAt(p, va);
  const frame = frameOf(p, va);
  if (refs === n) return pass(`frame ${frame} at 0x${hex(va)} has ${n} references`);
  return fail(
    `frame ${frame} (mapped by ${who(p)} at 0x${hex(va)}) has reference count ${refs}, expected ${n}: ` +
      `each page table that maps a frame holds one reference (krefinc when a mapping is added, kfree when one goes)`,
  );
}

/** expect(p).toBeWritable(va): a private, writable page that is no longer COW. */
function toBeWritable(p: Proc, va: number): Result {
  const pte = pteOf(p, va);
  if (pte & PTE_V && pte & PTE_W && !(pte & PTE_COW))
    return pass(`${who(p)}'s page 0x${hex(va)} is writable and not COW`);
  if (!(pte & PTE_V)) return fail(`${who(p)} has no mapping at 0x${hex(va)} any more`);
  if (pte & PTE_COW && pte & PTE_W)
    return fail(
      `${who(p)}'s PTE for 0x${hex(va)} is writable but still marked COW (${flags(pte)}): clear PTE_COW when you make the page writable`,
    );
  return fail(
    `${who(p)}'s PTE for 0x${hex(va)} is ${flags(pte)} after its write fault was handled: the handler must leave it writable (PTE_W) and not COW`,
  );
}

/** expect("kernel").toLeakNothing(): the audit finds no broken invariant. */
function toLeakNothing(_kernel: unknown): Result {
  const problems = audit();
  if (problems.length === 0) return pass("the audit found nothing wrong");
  return fail(`the kernel's memory bookkeeping is wrong:\n  - ${problems.join("\n  - ")}`);
}

function pass(message: string): Result {
  return { pass: true, message: () => `expected not: ${message}` };
}

function fail(message: string): Result {
  return { pass: false, message: () => message };
}

export const cowMatchers = {
  toShareCopyOnWrite,
  toShareReadOnly,
  toHaveRefCount,
  toBeWritable,
  toLeakNothing,
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** expect({ parent, child }).toShareCopyOnWrite(va) */
      toShareCopyOnWrite(va: number): R;
      /** expect({ parent, child }).toShareReadOnly(va) */
      toShareReadOnly(va: number): R;
      /** expect(proc).toHaveRefCount(va, n) */
      toHaveRefCount(va: number, n: number): R;
      /** expect(proc).toBeWritable(va) */
      toBeWritable(va: number): R;
      /** expect("kernel").toLeakNothing() */
      toLeakNothing(): R;
    }
  }
}
