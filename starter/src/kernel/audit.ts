// The audit: walks every live page table and checks the invariants a
// correct copy-on-write kernel keeps. Tests run it after every scenario;
// each problem is a sentence that says what is wrong and where.
//
//   1. each frame's reference count equals the number of PTEs mapping it;
//   2. no writable PTE points at a frame with more than one reference,
//      and no PTE is both writable and COW;
//   3. no free frame is mapped;
//   4. no frame leaked: every allocated frame is mapped or is a page table;
//   5. every page-table page is reachable exactly once.

import { hex8 } from "../hw/_format";
import { PGSIZE, PTE2PA, PTE_COW, PTE_W } from "../hw/riscv";
import { mappings, tablePages } from "./inspect";
import { kallocated, kispagetable, krefcnt } from "./kalloc";
import { allprocs } from "./proc";

interface Mapper {
  pid: number;
  va: number;
  writable: boolean;
}

/** Every broken invariant, as sentences; empty when the kernel's state is sound. */
export function audit(): string[] {
  const problems: string[] = [];
  const users = new Map<number, Mapper[]>(); // frame pa -> who maps it
  const tables = new Map<number, number[]>(); // table pa -> pids that reach it
  for (const p of allprocs()) {
    if (p.pagetable === null) continue;
    for (const t of tablePages(p.pagetable)) tables.set(t, [...(tables.get(t) ?? []), p.pid]);
    for (const m of mappings(p.pagetable)) {
      if (m.level !== 0)
        problems.push(`pid ${p.pid} maps a megapage at va 0x${hex8(m.va)}; the kernel never makes one`);
      if (m.pte & PTE_W && m.pte & PTE_COW) {
        problems.push(
          `pid ${p.pid}'s PTE for va 0x${hex8(m.va)} is both writable and marked COW, and a COW page must be read-only: uvmcopy clears PTE_W when it sets PTE_COW, and cowfault clears PTE_COW when it makes the page writable`,
        );
      }
      const pa = PTE2PA(m.pte);
      users.set(pa, [...(users.get(pa) ?? []), { pid: p.pid, va: m.va, writable: (m.pte & PTE_W) !== 0 }]);
    }
  }
  for (const [pa, who] of users) checkFrame(pa, who, tables.has(pa), problems);
  for (const [pa, pids] of tables) checkTable(pa, pids, problems);
  for (const pa of kallocated()) {
    if (!users.has(pa) && !tables.has(pa)) {
      const what = kispagetable(pa) ? "a page-table page" : "a frame";
      problems.push(
        `frame ${frameName(pa)} is allocated (reference count ${krefcnt(pa)}) but no page table uses it: ${what} leaked`,
      );
    }
  }
  return problems;
}

function checkFrame(pa: number, who: Mapper[], isTable: boolean, problems: string[]): void {
  const ref = krefcnt(pa);
  const list = who.map((m) => `pid ${m.pid} at va 0x${hex8(m.va)}`).join(", ");
  if (ref === 0) {
    problems.push(`frame ${frameName(pa)} is free but still mapped (${list}): a use after free`);
    return;
  }
  if (isTable) problems.push(`frame ${frameName(pa)} is a page table and is also mapped as a user page (${list})`);
  if (ref !== who.length) {
    problems.push(
      `frame ${frameName(pa)} has reference count ${ref} but ${who.length} PTE${who.length === 1 ? " maps" : "s map"} it (${list})`,
    );
  }
  if (who.length > 1) {
    for (const m of who.filter((w) => w.writable)) {
      problems.push(
        `pid ${m.pid} can write frame ${frameName(pa)} at va 0x${hex8(m.va)}, which ${who.length} PTEs share: ` +
          `its stores would change the other processes' memory`,
      );
    }
  }
}

function checkTable(pa: number, pids: number[], problems: string[]): void {
  if (pids.length > 1) {
    problems.push(`page-table page ${frameName(pa)} is reachable ${pids.length} times (pids ${pids.join(", ")})`);
  }
  const ref = krefcnt(pa);
  if (ref !== 1) problems.push(`page-table page ${frameName(pa)} has reference count ${ref}, not 1`);
}

function frameName(pa: number): string {
  return `${pa / PGSIZE} (pa 0x${hex8(pa)})`;
}
