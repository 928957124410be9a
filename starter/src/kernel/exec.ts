// Loading program images: spawn (a new process) and exec (replacing one).
// exec builds the new address space completely before it touches the old
// one, so a failed exec leaves the process exactly as it was.

import { PGSIZE } from "../hw/riscv";
import { hart, sfence_vma } from "./hart";
import { kalloc, kfree } from "./kalloc";
import { Image, Layout, layoutOf, regionsOf } from "./layout";
import { Proc, allocproc, alive, freeproc, switchTo } from "./proc";
import { panic } from "./panic";
import { record } from "./trace";
import { uvmfree } from "./uvmfree";
import { Pagetable, mappages, uvmcreate } from "./vm";

// One page of the load pattern: each byte is the low byte of its own
// virtual address (pages start on a 4096 boundary, so the pattern repeats).
const PATTERN = Uint8Array.from({ length: PGSIZE }, (_, i) => i & 0xff);

/** Creates a process running `image` (named `name`); "ENOMEM" when memory runs out. */
export function spawn(name: string, image: Image): Proc | "ENOMEM" {
  const layout = checkedLayout(name, image);
  const p = allocproc(name, layout, null);
  if (p === null) return "ENOMEM";
  if (loadImage(p.pagetable!, layout) < 0) {
    freeproc(p);
    return "ENOMEM";
  }
  record({ kind: "syscall", pid: p.pid, name: "spawn", result: name });
  return p;
}

/**
 * Replaces `p`'s image with `image`: builds the new address space first,
 * then tears the old one down (uvmfree) and fences `p`'s ASID. Returns 0,
 * or "ENOMEM" with `p` untouched when the new image could not be built.
 */
export function exec(p: Proc, name: string, image: Image): 0 | "ENOMEM" {
  hart().ecall();
  if (!alive(p)) panic(`exec: pid ${p.pid} is not running`);
  const layout = checkedLayout(name, image);
  const pagetable = uvmcreate();
  if (pagetable === null) return failed(p);
  if (loadImage(pagetable, layout) < 0) {
    uvmfree(pagetable);
    return failed(p);
  }
  const old = p.pagetable!;
  p.pagetable = pagetable;
  p.image = name;
  p.layout = layout;
  p.brk = layout.heap;
  switchTo(p);
  uvmfree(old);
  // the old image's translations are still in the TLB under this ASID
  sfence_vma(null, p.asid);
  record({ kind: "syscall", pid: p.pid, name: "exec", result: name });
  return 0;
}

/**
 * Maps the text and data pages of `layout` into `pagetable`, each filled with
 * the load pattern. Returns 0, or -1 when a frame ran out (the pages mapped
 * so far stay mapped, for the caller's uvmfree).
 */
function loadImage(pagetable: Pagetable, layout: Layout): number {
  for (const r of regionsOf(layout, layout.heap)) {
    if (r.onDemand) continue;
    for (let va = r.start; va < r.end; va += PGSIZE) {
      const pa = kalloc();
      if (pa === null) return -1;
      hart().writePhysical(pa, PATTERN);
      if (mappages(pagetable, va, PGSIZE, pa, r.perm) < 0) {
        kfree(pa);
        return -1;
      }
    }
  }
  return 0;
}

function checkedLayout(name: string, image: Image): Layout {
  const layout = layoutOf(image);
  if (typeof layout === "string") panic(`exec: image "${name}" does not fit: ${layout}`);
  return layout;
}

function failed(p: Proc): "ENOMEM" {
  record({ kind: "syscall", pid: p.pid, name: "exec", result: "ENOMEM" });
  return "ENOMEM";
}
