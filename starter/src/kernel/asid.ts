// Address-space identifiers. Sv32 has 9 ASID bits, so ASIDs are few: a
// process gets one when it first runs and gives it back when it exits. An
// ASID that was used before may still tag stale entries in the TLB, so
// handing it out again fences it first. When every ASID is taken, the one
// held longest is taken back (its holder gets a fresh one when it next runs).

import { ASIDMAX } from "../hw/riscv";
import { sfence_vma } from "./hart";

/** What holds an ASID: a process, by its `asid` field (0: none yet). */
export interface AsidHolder {
  asid: number;
}

let count = ASIDMAX + 1;
let free: number[] = [];
let used = new Uint8Array(0); // 1 once an ASID has been handed out
let holders: AsidHolder[] = []; // in the order they got their ASID

/** Resets the pool to ASIDs 1 .. n-1 (ASID 0 is the kernel's). */
export function asidinit(n: number = ASIDMAX + 1): void {
  count = n;
  free = [];
  for (let a = n - 1; a >= 1; a--) free.push(a);
  used = new Uint8Array(n);
  holders = [];
}

/** Gives `p` an ASID if it has none, fencing an ASID that is being reused. */
export function asidalloc(p: AsidHolder): void {
  if (p.asid !== 0) return;
  let asid = free.pop();
  if (asid === undefined) {
    const victim = holders.shift()!;
    asid = victim.asid;
    victim.asid = 0;
  }
  // a recycled ASID may still tag its last owner's translations
  if (used[asid] === 1) sfence_vma(null, asid);
  used[asid] = 1;
  p.asid = asid;
  holders.push(p);
}

/** Returns `p`'s ASID to the pool (its TLB entries are fenced when it is reused). */
export function asidfree(p: AsidHolder): void {
  if (p.asid === 0) return;
  free.push(p.asid);
  holders = holders.filter((h) => h !== p);
  p.asid = 0;
}

/** How many ASIDs this kernel can hand out. */
export function asidcount(): number {
  return count - 1;
}
