// The reference's teardown (uvmfree, lab part C) on hand-built page tables:
// references dropped, both levels of page-table pages freed, and the panic
// when a table would be freed while it still maps a page.

import { PGSIZE, PTE_R, PTE_U, PTE_W } from "../hw/riscv";
import { kalloc, kfreecount, krefcnt, krefinc } from "./kalloc";
import { boot } from "./main";
import { panicOf } from "./test-support";
import { uvmfree } from "./uvmfree";
import * as vm from "./vm";

const URW = PTE_R | PTE_W | PTE_U;

afterEach(() => jest.restoreAllMocks());

/** A table mapping one fresh frame at each of `vas`; returns the root and the frames. */
function tableWith(vas: readonly number[]): { root: number; frames: number[] } {
  const root = vm.uvmcreate()!;
  const frames = vas.map((va) => {
    const pa = kalloc()!;
    expect(vm.mappages(root, va, PGSIZE, pa, URW)).toBe(0);
    return pa;
  });
  return { root, frames };
}

test("uvmfree() drops one reference per mapped page and frees the level-0 tables and the root", () => {
  const m = boot({ frames: 16 });
  // VPN[1] = 0, 1 and 0x1ff: three level-0 tables, with holes between the pages
  const { root, frames } = tableWith([0x10000, 0x13000, 0x00400000, 0x7ffff000]);
  krefinc(frames[0]!); // someone else shares the first frame
  uvmfree(root);
  expect(frames.map((pa) => krefcnt(pa))).toEqual([1, 0, 0, 0]);
  expect([m.counters().pageTableFrames, m.counters().framesInUse, kfreecount()]).toEqual([0, 1, 15]);
});

test("uvmfree() frees level-0 tables that map nothing (a failed fork leaves them)", () => {
  const m = boot({ frames: 16 });
  const root = vm.uvmcreate()!;
  expect(vm.walk(root, 0x00800000, true)).not.toBeNull();
  expect(vm.walk(root, 0x7ffff000, true)).not.toBeNull();
  uvmfree(root);
  expect([m.counters().pageTableFrames, m.counters().framesInUse]).toEqual([0, 0]);
});

test("uvmfree() panics rather than free a level-0 table that still maps a page", () => {
  boot({ frames: 16 });
  const { root } = tableWith([0x10000, 0x00401000]);
  // a kernel bug that keeps a page out of the list: freewalk must not free its table
  jest.spyOn(vm, "mappedPages").mockReturnValue([0x10000]);
  expect(panicOf(() => uvmfree(root))).toBe("freewalk: leaf still mapped at va 0x00401000");
});
