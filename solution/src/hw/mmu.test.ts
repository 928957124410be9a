import { PhysicalMemory } from "./memory";
import { Mmu } from "./mmu";
import { MAKE_SATP, PA2PTE, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, PX, SSTATUS_SUM } from "./riscv";
import { Tlb } from "./tlb";

// Test layout: root page table in frame 1, its level-0 table in frame 2,
// data frames from 8 up; ASID 1.
const ROOT = 0x1000;
const L0 = 0x2000;
const SATP = MAKE_SATP(ROOT, 1);
const VA = 0x00012345; // VPN[1] = 0, VPN[0] = 0x12
const PTE_ADDR = L0 + PX(0, VA) * 4;
const URW = PTE_V | PTE_R | PTE_W | PTE_U;

function setup(tlbEntries = 8, frames = 64): { memory: PhysicalMemory; mmu: Mmu } {
  const memory = new PhysicalMemory(frames, { frameCopied() {}, frameZeroed() {} });
  return { memory, mmu: new Mmu(memory, new Tlb(tlbEntries)) };
}

// Maps the 4 KiB page holding `va` to the frame at `pa` with leaf flags `flags`.
function map(memory: PhysicalMemory, va: number, pa: number, flags: number, root = ROOT, l0 = L0): void {
  memory.write32(root + PX(1, va) * 4, PA2PTE(l0) | PTE_V);
  memory.write32(l0 + PX(0, va) * 4, PA2PTE(pa) | flags);
}

describe("Mmu: misses and hits", () => {
  test("a miss walks the page table and fills the TLB with the leaf as updated", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(0x8345);
    expect(mmu.walkReads).toBe(2); // Sv32 reads two entries for a 4 KiB page
    expect(mmu.tlb.entries()).toEqual([
      { asid: 1, vpn: VA >>> 12, level: 0, pte: PA2PTE(0x8000) | URW | PTE_A, pteAddr: PTE_ADDR },
    ]);
  });

  test("the next access to the page is a hit and does not walk", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "read", "U", 0);
    expect(mmu.translate(SATP, VA + 0x10, "read", "U", 0)).toBe(0x8355);
    expect(mmu.walkReads).toBe(0);
  });

  test("the walk's A/D update is stored in the page table: A on a load, D too on a store", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "read", "U", 0);
    expect(memory.read32(PTE_ADDR)).toBe(PA2PTE(0x8000) | URW | PTE_A);
    map(memory, 0x5000, 0x9000, URW);
    mmu.translate(SATP, 0x5000, "write", "U", 0);
    expect(memory.read32(L0 + 5 * 4)).toBe(PA2PTE(0x9000) | URW | PTE_A | PTE_D);
  });

  test("a hit does not consult memory: a PTE changed without sfence.vma keeps its old translation", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "write", "U", 0);
    map(memory, VA, 0x9000, PTE_V | PTE_R | PTE_U); // remapped, read-only
    expect(mmu.translate(SATP, VA, "write", "U", 0)).toBe(0x8345);
    memory.write32(PTE_ADDR, 0); // unmapped
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(0x8345);
    mmu.tlb.flush(VA, 1);
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(-1);
    expect(mmu.fault).toEqual({ ok: false, scause: 13, stval: VA, pte: 0, pteAddr: PTE_ADDR, reads: 2 });
  });

  test("a store through an entry cached without D walks again and sets D in memory and in the TLB", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "read", "U", 0);
    expect(mmu.translate(SATP, VA, "write", "U", 0)).toBe(0x8345);
    expect(mmu.walkReads).toBe(2); // Sv32 reads two entries for a 4 KiB page
    expect(memory.read32(PTE_ADDR)).toBe(PA2PTE(0x8000) | URW | PTE_A | PTE_D);
    expect(mmu.tlb.entries().map((e) => e.pte)).toEqual([PA2PTE(0x8000) | URW | PTE_A | PTE_D]);
    mmu.translate(SATP, VA, "write", "U", 0);
    expect(mmu.walkReads).toBe(0);
  });

  test("that second walk sees the PTE as memory holds it now: made read-only, the store faults", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "read", "U", 0);
    map(memory, VA, 0x8000, PTE_V | PTE_R | PTE_U | PTE_A);
    expect(mmu.translate(SATP, VA, "write", "U", 0)).toBe(-1);
    expect(mmu.fault).toMatchObject({ scause: 15, stval: VA });
  });

  test("a hit checks the cached PTE's permissions: a store through a cached read-only, dirty entry faults without walking", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D);
    mmu.translate(SATP, VA, "read", "U", 0);
    map(memory, VA, 0x8000, URW | PTE_A | PTE_D); // made writable, not fenced
    expect(mmu.translate(SATP, VA, "write", "U", 0)).toBe(-1);
    expect(mmu.walkReads).toBe(0);
    expect(mmu.fault).toEqual({
      ok: false,
      scause: 15,
      stval: VA,
      pte: PA2PTE(0x8000) | PTE_V | PTE_R | PTE_U | PTE_A | PTE_D,
      pteAddr: PTE_ADDR,
      reads: 0, // judged from the TLB entry alone
    });
    expect(mmu.translate(SATP, VA, "execute", "U", 0)).toBe(-1);
    expect(mmu.fault).toMatchObject({ scause: 12 });
  });

  test("a hit applies the mode and sstatus of the access, not those of the walk that cached it", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW | PTE_A | PTE_D);
    expect(mmu.translate(SATP, VA, "read", "S", SSTATUS_SUM)).toBe(0x8345);
    expect(mmu.translate(SATP, VA, "read", "S", 0)).toBe(-1);
    expect(mmu.walkReads).toBe(0);
    expect(mmu.fault).toMatchObject({ scause: 13, stval: VA });
  });

  test("the ASID comes from satp: two address spaces keep their own entries for the same address", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, URW);
    map(memory, VA, 0x9000, URW, 0x3000, 0x4000);
    const other = MAKE_SATP(0x3000, 2);
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(0x8345);
    expect(mmu.translate(other, VA, "read", "U", 0)).toBe(0x9345);
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(0x8345);
    expect(mmu.walkReads).toBe(0);
    expect(mmu.tlb.entries().map((e) => e.asid)).toEqual([1, 2]);
  });

  test("a fault fills nothing and stores no A/D bits", () => {
    const { memory, mmu } = setup();
    map(memory, VA, 0x8000, PTE_V | PTE_R | PTE_U);
    expect(mmu.translate(SATP, VA, "write", "U", 0)).toBe(-1);
    expect(mmu.tlb.entries()).toEqual([]);
    expect(memory.read32(PTE_ADDR)).toBe(PA2PTE(0x8000) | PTE_V | PTE_R | PTE_U);
  });

  test("with a TLB of 0 entries every access walks", () => {
    const { memory, mmu } = setup(0);
    map(memory, VA, 0x8000, URW);
    mmu.translate(SATP, VA, "read", "U", 0);
    mmu.translate(SATP, VA, "read", "U", 0);
    expect(mmu.walkReads).toBe(2); // Sv32 reads two entries for a 4 KiB page
    map(memory, VA, 0x9000, URW); // no fence needed when nothing is cached
    expect(mmu.translate(SATP, VA, "read", "U", 0)).toBe(0x9345);
  });
});

describe("Mmu: megapages", () => {
  test("a megapage is cached once and serves every page inside it", () => {
    const { memory, mmu } = setup(8, 2048);
    memory.write32(ROOT + 1 * 4, PA2PTE(0x400000) | URW | PTE_X);
    expect(mmu.translate(SATP, 0x00400010, "read", "U", 0)).toBe(0x400010);
    expect(mmu.translate(SATP, 0x007ffff0, "execute", "U", 0)).toBe(0x7ffff0);
    expect(mmu.walkReads).toBe(0);
    expect(mmu.tlb.entries()).toHaveLength(1);
  });

  test("a cached megapage that runs past the end of memory still access-faults beyond the end", () => {
    const { memory, mmu } = setup(8, 16);
    memory.write32(ROOT + 1 * 4, PA2PTE(0) | URW | PTE_A | PTE_D); // va 0x00400000.. -> pa 0..
    expect(mmu.translate(SATP, 0x00400100, "read", "U", 0)).toBe(0x100);
    expect(mmu.translate(SATP, 0x00410000, "read", "U", 0)).toBe(-1);
    expect(mmu.fault).toEqual({
      ok: false,
      scause: 5,
      stval: 0x00410000,
      pte: PA2PTE(0) | URW | PTE_A | PTE_D,
      pteAddr: ROOT + 4,
      reads: 0, // a TLB hit
    });
    expect(mmu.translate(SATP, 0x00410000, "write", "U", 0)).toBe(-1);
    expect(mmu.fault).toMatchObject({ scause: 7 });
  });
});

describe("Mmu: Bare mode", () => {
  test("Bare mode passes addresses through and caches nothing", () => {
    const { mmu } = setup();
    expect(mmu.translate(0, 0x3004, "write", "S", 0)).toBe(0x3004);
    expect(mmu.tlb.entries()).toEqual([]);
    expect(mmu.translate(0, 64 * 4096, "read", "S", 0)).toBe(-1);
    expect(mmu.fault).toMatchObject({ scause: 5, stval: 64 * 4096 });
  });

  test("Bare mode ignores entries cached under ASID 0 while paging was on", () => {
    const { memory, mmu } = setup();
    map(memory, 0x5000, 0x8000, URW);
    expect(mmu.translate(MAKE_SATP(ROOT, 0), 0x5000, "read", "U", 0)).toBe(0x8000);
    expect(mmu.translate(0, 0x5000, "read", "S", 0)).toBe(0x5000);
    expect(mmu.walkReads).toBe(0);
  });
});
