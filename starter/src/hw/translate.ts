// Sv32 address translation as a pure function: the steps of the privileged
// spec's "Virtual Address Translation Process", numbered as there. It reads
// page tables through `memory` and never writes: when the A or D bit must be
// set it returns the updated PTE for the MMU to store.

import {
  Access,
  LEVELS,
  PGSIZE,
  PTE2PA,
  PTE2PPN,
  PTESIZE,
  PTE_A,
  PTE_D,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
  PX,
  Priv,
  SATP_MODE,
  SATP_MODE_BARE,
  SATP_PPN,
  SCAUSE_INSTRUCTION_ACCESS_FAULT,
  SCAUSE_INSTRUCTION_PAGE_FAULT,
  SCAUSE_LOAD_ACCESS_FAULT,
  SCAUSE_LOAD_PAGE_FAULT,
  SCAUSE_STORE_ACCESS_FAULT,
  SCAUSE_STORE_PAGE_FAULT,
  SSTATUS_MXR,
  SSTATUS_SUM,
} from "./riscv";

/** What translation reads: physical memory's words and its extent. */
export interface PageTableMemory {
  read32(pa: number): number;
  contains(pa: number): boolean;
}

export interface TranslationOk {
  readonly ok: true;
  readonly pa: number;
  readonly pte: number; // the leaf, with A/D as they are after this access
  readonly pteAddr: number;
  readonly level: number; // 0: 4 KiB page, 1: 4 MiB megapage
  readonly pteUpdate: boolean; // true when pte differs from memory (A/D to store)
  readonly reads: number; // page-table entries the walk read
}

export interface TranslationFault {
  readonly ok: false;
  readonly scause: number;
  readonly stval: number;
  /** The last PTE the walk read and where, or null when it read none. */
  readonly pte: number | null;
  readonly pteAddr: number | null;
  readonly reads: number; // page-table entries the walk read
}

export type Translation = TranslationOk | TranslationFault;

/**
 * Translates `va` for an access of kind `access` made in mode `priv` under
 * `satp` and `sstatus` (SUM, MXR). Returns the physical address, or the
 * fault the hart must take: a page fault (12, 13, 15) for a missing or
 * forbidden mapping, an access fault (1, 5, 7) for a physical address that
 * is not memory.
 */
export function translate(
  satp: number,
  va: number,
  access: Access,
  memory: PageTableMemory,
  priv: Priv = "U",
  sstatus = 0,
): Translation {
  if (SATP_MODE(satp) === SATP_MODE_BARE) {
    if (!memory.contains(va)) return fault(accessFaultCause(access), va, null, null, 0);
    return { ok: true, pa: va, pte: 0, pteAddr: 0, level: 0, pteUpdate: false, reads: 0 };
  }
  // 1. a = satp.ppn * PAGESIZE, i = LEVELS - 1.
  let a = SATP_PPN(satp) * PGSIZE;
  for (let i = LEVELS - 1; ; i--) {
    // 2. pte = the entry at a + va.vpn[i] * PTESIZE (a PMA check first).
    const pteAddr = a + PX(i, va) * PTESIZE;
    if (!memory.contains(pteAddr)) return fault(accessFaultCause(access), va, null, null, LEVELS - 1 - i);
    const pte = memory.read32(pteAddr);
    // 3. Invalid, or writable without readable (a reserved encoding).
    if (!(pte & PTE_V) || (!(pte & PTE_R) && pte & PTE_W)) {
      return fault(pageFaultCause(access), va, pte, pteAddr, LEVELS - i);
    }
    // 4. Not a leaf: descend, unless this was the last level.
    if (!(pte & PTE_R) && !(pte & PTE_X)) {
      if (i === 0) return fault(pageFaultCause(access), va, pte, pteAddr, LEVELS);
      a = PTE2PA(pte);
      continue;
    }
    return leaf(va, access, memory, priv, sstatus, pte, pteAddr, i);
  }
}

// Steps 5 to 8 for the leaf PTE found at level i.
function leaf(
  va: number,
  access: Access,
  memory: PageTableMemory,
  priv: Priv,
  sstatus: number,
  pte: number,
  pteAddr: number,
  i: number,
): Translation {
  // 5. The leaf's permissions against the access, the mode, SUM and MXR.
  const reads = LEVELS - i;
  if (!permits(pte, access, priv, sstatus)) return fault(pageFaultCause(access), va, pte, pteAddr, reads);
  // 6. A megapage whose PPN[0] is not zero is misaligned.
  if (i > 0 && (PTE2PPN(pte) & 0x3ff) !== 0) return fault(pageFaultCause(access), va, pte, pteAddr, reads);
  // 7. Set A, and D on a store (the Svadu behaviour: hardware updates them).
  let updated = pte | PTE_A;
  if (access === "write") updated |= PTE_D;
  updated >>>= 0;
  // 8. The physical address: the leaf's PPN, plus the untranslated low bits.
  const pa = i === 0 ? PTE2PA(pte) + (va & 0xfff) : (PTE2PPN(pte) >>> 10) * 2 ** 22 + (va & 0x3fffff);
  if (!memory.contains(pa)) return fault(accessFaultCause(access), va, pte, pteAddr, reads);
  return { ok: true, pa, pte: updated, pteAddr, level: i, pteUpdate: updated !== pte, reads };
}

/** Whether a leaf PTE allows this access from this mode (spec step 5). */
export function permits(pte: number, access: Access, priv: Priv, sstatus: number): boolean {
  if (priv === "U" && !(pte & PTE_U)) return false;
  if (priv === "S" && pte & PTE_U) {
    if (access === "execute" || !(sstatus & SSTATUS_SUM)) return false;
  }
  switch (access) {
    case "read":
      return (pte & PTE_R) !== 0 || ((sstatus & SSTATUS_MXR) !== 0 && (pte & PTE_X) !== 0);
    case "write":
      return (pte & PTE_W) !== 0;
    case "execute":
      return (pte & PTE_X) !== 0;
  }
}

/** The page-fault scause for an access: 12 fetch, 13 load, 15 store. */
export function pageFaultCause(access: Access): number {
  if (access === "execute") return SCAUSE_INSTRUCTION_PAGE_FAULT;
  return access === "read" ? SCAUSE_LOAD_PAGE_FAULT : SCAUSE_STORE_PAGE_FAULT;
}

/** The access-fault scause for an access: 1 fetch, 5 load, 7 store. */
export function accessFaultCause(access: Access): number {
  if (access === "execute") return SCAUSE_INSTRUCTION_ACCESS_FAULT;
  return access === "read" ? SCAUSE_LOAD_ACCESS_FAULT : SCAUSE_STORE_ACCESS_FAULT;
}

function fault(
  scause: number,
  stval: number,
  pte: number | null,
  pteAddr: number | null,
  reads: number,
): TranslationFault {
  return { ok: false, scause, stval, pte, pteAddr, reads };
}

/**
 * The leaf PTE (or the invalid entry where the walk stops) for `va` under
 * `satp`, read straight from memory with no side effect: what an observer
 * sees, not what a TLB may still be serving. Null when no entry is reached.
 */
export function lookupLeaf(satp: number, va: number, memory: PageTableMemory): { pte: number; pteAddr: number } | null {
  if (SATP_MODE(satp) === SATP_MODE_BARE) return null;
  let a = SATP_PPN(satp) * PGSIZE;
  for (let i = LEVELS - 1; i >= 0; i--) {
    const pteAddr = a + PX(i, va) * PTESIZE;
    if (!memory.contains(pteAddr)) return null;
    const pte = memory.read32(pteAddr);
    const reserved = !(pte & PTE_R) && (pte & PTE_W) !== 0;
    if (!(pte & PTE_V) || reserved || pte & (PTE_R | PTE_X) || i === 0) return { pte, pteAddr };
    a = PTE2PA(pte);
  }
  return null;
}
