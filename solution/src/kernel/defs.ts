// What the lab's edit points may call, in one place (as xv6's defs.h):
// the hardware's names from riscv.ts, the frame allocator, the page-table
// functions, memmove, sfence.vma and the panic functions. The files a
// student edits import from here and nowhere else.

export {
  PGSIZE,
  PGSHIFT,
  PGROUNDUP,
  PGROUNDDOWN,
  MAXVA,
  PX,
  NPTE,
  PTESIZE,
  PTE_V,
  PTE_R,
  PTE_W,
  PTE_X,
  PTE_U,
  PTE_G,
  PTE_A,
  PTE_D,
  PTE_RSW0,
  PTE_RSW1,
  PTE_COW,
  PTE_FLAGS,
  PTE2PA,
  PA2PTE,
} from "../hw/riscv";
export { kalloc, kfree, krefinc, krefcnt } from "./kalloc";
export {
  type Pagetable,
  type PteEntry,
  walk,
  walkaddr,
  readPte,
  writePte,
  isLeaf,
  mappages,
  uvmunmap,
  mappedPages,
  validPtes,
} from "./vm";
export { memmove } from "./string";
export { sfence_vma } from "./hart";
export { panic, NotImplemented } from "./panic";
