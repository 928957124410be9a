// The MMU: consults the TLB, walks the page table on a miss (the pure
// `translate`), stores the A/D bits the walk set, and fills the TLB.
// A hit is served from the cached PTE alone, whatever memory now says.

import { Access, PTE_D, Priv, SATP_MODE, SATP_MODE_SV32 } from "./riscv";
import { Tlb } from "./tlb";
import { PageTableMemory, TranslationFault, accessFaultCause, pageFaultCause, permits, translate } from "./translate";
import { PhysicalMemory } from "./memory";

export class Mmu {
  readonly tlb: Tlb;
  #memory: PhysicalMemory;
  /** Set by translate() when it returns -1: the fault the hart must take. */
  fault: TranslationFault | null = null;
  /** Set by translate(): page-table entries the last translation read (0 on a TLB hit). */
  walkReads = 0;

  constructor(memory: PhysicalMemory, tlb: Tlb) {
    this.#memory = memory;
    this.tlb = tlb;
  }

  /**
   * Translates `va` under `satp`. Returns the physical address, or -1 and
   * leaves the fault in `this.fault`.
   */
  translate(satp: number, va: number, access: Access, priv: Priv, sstatus: number): number {
    const asid = (satp >>> 22) & 0x1ff;
    // Bare mode translates nothing: the TLB is neither consulted nor filled,
    // or an entry cached under ASID 0 with paging on would still translate.
    const paging = SATP_MODE(satp) === SATP_MODE_SV32;
    const hit = paging ? this.tlb.lookup(asid, va) : undefined;
    // A store through an entry cached without D must walk again to set D.
    if (hit !== undefined && !(access === "write" && !(hit.pte & PTE_D))) {
      this.walkReads = 0;
      if (!permits(hit.pte, access, priv, sstatus)) {
        this.fault = {
          ok: false,
          scause: pageFaultCause(access),
          stval: va,
          pte: hit.pte,
          pteAddr: hit.pteAddr,
          reads: 0,
        };
        return -1;
      }
      const pa =
        hit.level === 0 ? (hit.pte >>> 10) * 4096 + (va & 0xfff) : (hit.pte >>> 20) * 2 ** 22 + (va & 0x3fffff);
      // The walk checked only the page it translated; a megapage may run past the end of memory.
      if (!this.#memory.contains(pa)) {
        this.fault = {
          ok: false,
          scause: accessFaultCause(access),
          stval: va,
          pte: hit.pte,
          pteAddr: hit.pteAddr,
          reads: 0,
        };
        return -1;
      }
      return pa;
    }
    const t = translate(satp, va, access, this.#memory as PageTableMemory, priv, sstatus);
    this.walkReads = t.reads;
    if (!t.ok) {
      this.fault = t;
      return -1;
    }
    if (t.pteUpdate) this.#memory.write32(t.pteAddr, t.pte);
    if (paging) {
      const vpn = t.level === 0 ? va >>> 12 : va >>> 22;
      this.tlb.insert({ asid, vpn, level: t.level, pte: t.pte, pteAddr: t.pteAddr });
    }
    return t.pa;
  }
}
