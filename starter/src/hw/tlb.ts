// The TLB: a small fully associative cache of leaf translations, tagged by
// ASID. It keeps serving a cached translation, permissions included, until
// sfence.vma removes it: the page table in memory is not consulted on a hit.
// That is what makes a kernel that changes a PTE and forgets the fence
// observably wrong. Replacement is first-in first-out, so runs repeat exactly.

import { PTE_G } from "./riscv";

/** One cached translation: the leaf PTE as the walk found it (after A/D update). */
export interface TlbEntry {
  readonly asid: number;
  readonly vpn: number; // va >>> 12, or for a megapage va >>> 22
  readonly level: number; // 0 for a 4 KiB page, 1 for a 4 MiB megapage
  readonly pte: number;
  readonly pteAddr: number; // where the walk found the PTE
}

export class Tlb {
  readonly capacity: number;
  #entries = new Map<number, TlbEntry>(); // insertion order = age

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`Cannot build a TLB of ${capacity} entries: give a whole number, 0 or more`);
    }
    this.capacity = capacity;
  }

  /** The entry translating `va` in `asid`, or undefined on a miss. */
  lookup(asid: number, va: number): TlbEntry | undefined {
    if (this.capacity === 0) return undefined;
    const vpn = va >>> 12;
    return (
      this.#entries.get(key(asid, vpn, 0)) ??
      this.#entries.get(key(asid, vpn >>> 10, 1)) ??
      this.#entries.get(globalKey(vpn, 0)) ??
      this.#entries.get(globalKey(vpn >>> 10, 1))
    );
  }

  /** Caches a translation, evicting the oldest entry when full. */
  insert(entry: TlbEntry): void {
    if (this.capacity === 0) return;
    const k = entry.pte & PTE_G ? globalKey(entry.vpn, entry.level) : key(entry.asid, entry.vpn, entry.level);
    this.#entries.delete(k);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next().value as number;
      this.#entries.delete(oldest);
    }
    this.#entries.set(k, entry);
  }

  /**
   * sfence.vma: `va` null means every address (rs1 = x0), `asid` null means
   * every address space (rs2 = x0). A fence naming an ASID leaves global
   * entries alone, as the spec says.
   */
  flush(va: number | null, asid: number | null): void {
    if (va === null && asid === null) {
      this.#entries.clear();
      return;
    }
    if (va !== null && asid !== null) {
      // Only two entries can translate va in asid: its page's and its
      // megapage's, under their keys (global entries sit under other keys,
      // and a fence naming an ASID leaves them alone). Deleting by key saves
      // a scan of the whole TLB on every COW fault's fence.
      this.#entries.delete(key(asid, va >>> 12, 0));
      this.#entries.delete(key(asid, va >>> 22, 1));
      return;
    }
    for (const [k, e] of this.#entries) {
      if (asid !== null && (e.asid !== asid || e.pte & PTE_G)) continue;
      if (va !== null && !covers(e, va)) continue;
      this.#entries.delete(k);
    }
  }

  /** Every cached entry, oldest first (for the trace viewer). */
  entries(): TlbEntry[] {
    return [...this.#entries.values()];
  }
}

function covers(e: TlbEntry, va: number): boolean {
  return e.level === 0 ? va >>> 12 === e.vpn : va >>> 22 === e.vpn;
}

// Keys: ASID (9 bits), level (1 bit) and VPN (up to 20 bits) packed in a
// safe integer; global entries use an ASID slot no real ASID has.
function key(asid: number, vpn: number, level: number): number {
  return (asid * 2 + level) * 2 ** 20 + vpn;
}

function globalKey(vpn: number, level: number): number {
  return key(1024, vpn, level);
}
