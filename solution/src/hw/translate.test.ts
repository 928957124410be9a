import { PhysicalMemory } from "./memory";
import {
  Access,
  MAKE_SATP,
  PA2PTE,
  PTE_A,
  PTE_D,
  PTE_G,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
  PX,
  SSTATUS_MXR,
  SSTATUS_SUM,
} from "./riscv";
import { PageTableMemory, Translation, lookupLeaf, permits, translate } from "./translate";

// Test layout: the root page table in frame 1, one level-0 table in frame 2,
// data frames from 8 up. Translation only ever reads these words.
const ROOT = 0x1000;
const L0 = 0x2000;
const DATA = 0x8000;
const SATP = MAKE_SATP(ROOT, 1);
const VA = 0x00012345; // VPN[1] = 0, VPN[0] = 0x12, offset 0x345
const URW = PTE_V | PTE_R | PTE_W | PTE_U;

function newMemory(frames = 64): PhysicalMemory {
  return new PhysicalMemory(frames, { frameCopied() {}, frameZeroed() {} });
}

// Maps the 4 KiB page holding `va` to the frame at `pa` through the
// level-0 table at `l0`, with the leaf flags `flags`.
function map(memory: PhysicalMemory, va: number, pa: number, flags: number, l0 = L0): void {
  memory.write32(ROOT + PX(1, va) * 4, PA2PTE(l0) | PTE_V);
  memory.write32(l0 + PX(0, va) * 4, PA2PTE(pa) | flags);
}

// Expects `t` to be a fault with this scause and stval.
function expectFault(t: Translation, scause: number, stval: number): void {
  expect(t.ok).toBe(false);
  if (t.ok) return;
  expect(t.scause).toBe(scause);
  expect(t.stval).toBe(stval);
}

function expectPa(t: Translation): number {
  if (!t.ok) throw new Error(`expected a translation, got a fault with scause ${t.scause}`);
  return t.pa;
}

const PAGE_FAULT: Record<Access, number> = { execute: 12, read: 13, write: 15 };
const ACCESS_FAULT: Record<Access, number> = { execute: 1, read: 5, write: 7 };
const ACCESSES: Access[] = ["execute", "read", "write"];

describe("translate: the walk (spec steps 1 to 4)", () => {
  test("a 4 KiB leaf gives the frame's address plus the page offset, at level 0", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW | PTE_A | PTE_D);
    const t = translate(SATP, VA, "read", memory);
    expect(t).toEqual({
      ok: true,
      pa: DATA + 0x345,
      pte: PA2PTE(DATA) | URW | PTE_A | PTE_D,
      pteAddr: L0 + 0x12 * 4,
      level: 0,
      pteUpdate: false,
      reads: 2,
    });
  });

  test("the walk starts at satp.PPN: another root gives another translation of the same address", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    const otherRoot = 0x3000;
    const otherL0 = 0x4000;
    memory.write32(otherRoot + PX(1, VA) * 4, PA2PTE(otherL0) | PTE_V);
    memory.write32(otherL0 + PX(0, VA) * 4, PA2PTE(0x9000) | URW);
    expect(expectPa(translate(SATP, VA, "read", memory))).toBe(DATA + 0x345);
    expect(expectPa(translate(MAKE_SATP(otherRoot, 1), VA, "read", memory))).toBe(0x9000 + 0x345);
  });

  test("the highest address, 0xffffffff, walks entry 1023 of both levels", () => {
    const memory = newMemory();
    map(memory, 0xffffffff, DATA, URW);
    expect(expectPa(translate(SATP, 0xffffffff, "write", memory))).toBe(DATA + 0xfff);
  });

  test.each(ACCESSES)("an invalid leaf PTE is a page fault for %s with stval = va, reporting that PTE", (access) => {
    const memory = newMemory();
    map(memory, VA, DATA, URW & ~PTE_V);
    const t = translate(SATP, VA, access, memory);
    expectFault(t, PAGE_FAULT[access], VA);
    expect(t).toMatchObject({ pte: PA2PTE(DATA) | PTE_R | PTE_W | PTE_U, pteAddr: L0 + 0x12 * 4 });
  });

  test("an invalid root entry is a page fault reported at the root's entry", () => {
    const memory = newMemory();
    const t = translate(SATP, 0x00c01000, "write", memory);
    expectFault(t, 15, 0x00c01000);
    expect(t).toMatchObject({ pte: 0, pteAddr: ROOT + 3 * 4 });
  });

  test.each([
    ["W", PTE_V | PTE_W | PTE_U],
    ["W and X", PTE_V | PTE_W | PTE_X | PTE_U],
  ])("a valid PTE with %s but not R is a reserved encoding: every access page-faults", (_name, flags) => {
    const memory = newMemory();
    map(memory, VA, DATA, flags);
    for (const access of ACCESSES) expectFault(translate(SATP, VA, access, memory), PAGE_FAULT[access], VA);
  });

  test("W without R is reserved in a root entry too, even though it would otherwise be a pointer", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    memory.write32(ROOT + PX(1, VA) * 4, PA2PTE(L0) | PTE_V | PTE_W);
    expectFault(translate(SATP, VA, "read", memory), 13, VA);
  });

  test("a pointer (V without R, W, X) at level 0 is a page fault: Sv32 has no third level", () => {
    const memory = newMemory();
    map(memory, VA, 0x3000, PTE_V);
    const t = translate(SATP, VA, "read", memory);
    expectFault(t, 13, VA);
    expect(t).toMatchObject({ pte: PA2PTE(0x3000) | PTE_V, pteAddr: L0 + 0x12 * 4 });
  });
});

describe("translate: permissions (spec step 5)", () => {
  test.each([
    ["read", PTE_R],
    ["write", PTE_R | PTE_W],
    ["execute", PTE_X],
  ] as const)("a U-mode %s of a page that allows it succeeds", (access, flags) => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_U | flags);
    expect(expectPa(translate(SATP, VA, access, memory, "U"))).toBe(DATA + 0x345);
  });

  test.each([
    ["read", "X", PTE_X],
    ["write", "R", PTE_R],
    ["write", "R and X", PTE_R | PTE_X],
    ["execute", "R and W", PTE_R | PTE_W],
  ] as const)("a U-mode %s of a page with only %s page-faults", (access, _rights, flags) => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_U | flags);
    expectFault(translate(SATP, VA, access, memory, "U"), PAGE_FAULT[access], VA);
  });

  test.each(ACCESSES)("a U-mode %s of a page without PTE_U page-faults", (access) => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_R | PTE_W | PTE_X);
    expectFault(translate(SATP, VA, access, memory, "U"), PAGE_FAULT[access], VA);
    expect(translate(SATP, VA, access, memory, "S").ok).toBe(true);
  });

  test("an S-mode load or store of a U page page-faults unless sstatus.SUM is set", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    expectFault(translate(SATP, VA, "read", memory, "S", 0), 13, VA);
    expectFault(translate(SATP, VA, "write", memory, "S", 0), 15, VA);
    expect(expectPa(translate(SATP, VA, "read", memory, "S", SSTATUS_SUM))).toBe(DATA + 0x345);
    expect(expectPa(translate(SATP, VA, "write", memory, "S", SSTATUS_SUM))).toBe(DATA + 0x345);
  });

  test("S-mode never executes a U page, even with SUM", () => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_R | PTE_X | PTE_U);
    expectFault(translate(SATP, VA, "execute", memory, "S", SSTATUS_SUM), 12, VA);
    expectFault(translate(SATP, VA, "execute", memory, "S", SSTATUS_SUM | SSTATUS_MXR), 12, VA);
  });

  test("sstatus.MXR makes an execute-only page readable, but not writable", () => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_X | PTE_U);
    expectFault(translate(SATP, VA, "read", memory, "U", 0), 13, VA);
    expect(expectPa(translate(SATP, VA, "read", memory, "U", SSTATUS_MXR))).toBe(DATA + 0x345);
    expectFault(translate(SATP, VA, "write", memory, "U", SSTATUS_MXR), 15, VA);
  });

  test("permits() agrees with the rules on a few PTEs", () => {
    const rw = PTE_V | PTE_R | PTE_W;
    expect(permits(rw | PTE_U, "write", "U", 0)).toBe(true);
    expect(permits(rw, "write", "U", 0)).toBe(false);
    expect(permits(rw | PTE_U, "read", "S", 0)).toBe(false);
    expect(permits(rw | PTE_U, "read", "S", SSTATUS_SUM)).toBe(true);
    expect(permits(PTE_V | PTE_X, "read", "S", SSTATUS_MXR)).toBe(true);
    expect(permits(PTE_V | PTE_X | PTE_U, "execute", "S", SSTATUS_SUM)).toBe(false);
  });
});

describe("translate: megapages (spec steps 6 and 8)", () => {
  test("a leaf in the root table maps 4 MiB: the low 22 bits of va pass through", () => {
    const memory = newMemory(4096); // 16 MiB: frames are only backed when written
    const va = 0x00c12345; // VPN[1] = 3
    memory.write32(ROOT + 3 * 4, PA2PTE(0x00800000) | URW);
    const t = translate(SATP, va, "read", memory);
    expect(t).toMatchObject({ ok: true, pa: 0x00812345, level: 1, pteAddr: ROOT + 12 });
    expect(expectPa(translate(SATP, 0x00ffffff, "read", memory))).toBe(0x00bfffff);
  });

  test("a megapage whose PPN[0] is not zero is misaligned and page-faults", () => {
    const memory = newMemory(4096);
    memory.write32(ROOT + 3 * 4, PA2PTE(0x00801000) | URW);
    const t = translate(SATP, 0x00c12345, "read", memory);
    expectFault(t, 13, 0x00c12345);
    expect(t).toMatchObject({ pte: PA2PTE(0x00801000) | URW, pteAddr: ROOT + 12 });
  });
});

describe("translate: the A and D bits (spec step 7), returned but never stored", () => {
  test("a load sets A but not D in the returned PTE and asks for an update; memory keeps the old PTE", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    const before = memory.read32(L0 + 0x12 * 4);
    const t = translate(SATP, VA, "read", memory);
    expect(t).toMatchObject({ ok: true, pte: before | PTE_A, pteUpdate: true });
    expect(memory.read32(L0 + 0x12 * 4)).toBe(before);
  });

  test("a store sets both A and D", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    const t = translate(SATP, VA, "write", memory);
    expect(t).toMatchObject({ ok: true, pte: PA2PTE(DATA) | URW | PTE_A | PTE_D, pteUpdate: true });
  });

  test("an execute sets A only", () => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_X | PTE_U);
    expect(translate(SATP, VA, "execute", memory)).toMatchObject({ pte: PA2PTE(DATA) | PTE_V | PTE_X | PTE_U | PTE_A });
  });

  test("no update is asked for when A (and for a store, D) is already set", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW | PTE_A);
    expect(translate(SATP, VA, "read", memory)).toMatchObject({ ok: true, pteUpdate: false });
    expect(translate(SATP, VA, "write", memory)).toMatchObject({ ok: true, pteUpdate: true });
    map(memory, VA, DATA, URW | PTE_A | PTE_D);
    expect(translate(SATP, VA, "write", memory)).toMatchObject({ ok: true, pteUpdate: false });
  });

  test("the returned PTE stays a non-negative 32-bit number for frames above 2^21", () => {
    const memory = newMemory(2 ** 22);
    const high = (2 ** 22 - 1) * 4096;
    map(memory, VA, high, URW | PTE_G);
    const t = translate(SATP, VA, "write", memory);
    expect(t).toMatchObject({ ok: true, pa: high + 0x345, pte: (PA2PTE(high) | URW | PTE_G | PTE_A | PTE_D) >>> 0 });
  });

  test("translate only reads memory: it is given no way to write, and reads two words for a 4 KiB page", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    const reads: number[] = [];
    const readOnly: PageTableMemory = {
      read32: (pa) => (reads.push(pa), memory.read32(pa)),
      contains: (pa) => memory.contains(pa),
    };
    expect(expectPa(translate(SATP, VA, "write", readOnly))).toBe(DATA + 0x345);
    expect(reads).toEqual([ROOT + PX(1, VA) * 4, L0 + 0x12 * 4]);
    expect(memory.read32(L0 + 0x12 * 4)).toBe(PA2PTE(DATA) | URW);
  });

  test("a faulting access asks for no A/D update", () => {
    const memory = newMemory();
    map(memory, VA, DATA, PTE_V | PTE_R | PTE_U);
    const t = translate(SATP, VA, "write", memory);
    expect(t).toEqual({
      ok: false,
      scause: 15,
      stval: VA,
      pte: PA2PTE(DATA) | PTE_V | PTE_R | PTE_U,
      pteAddr: L0 + 0x48,
      reads: 2,
    });
  });
});

describe("translate: access faults and Bare mode", () => {
  test.each(ACCESSES)("a root table outside physical memory is an access fault for %s, with no PTE read", (access) => {
    const memory = newMemory(8);
    const t = translate(MAKE_SATP(0x100000, 1), VA, access, memory);
    expect(t).toEqual({ ok: false, scause: ACCESS_FAULT[access], stval: VA, pte: null, pteAddr: null, reads: 0 });
  });

  test("a root entry pointing outside physical memory is an access fault", () => {
    const memory = newMemory(8);
    memory.write32(ROOT + PX(1, VA) * 4, PA2PTE(0x100000) | PTE_V);
    expect(translate(SATP, VA, "write", memory)).toEqual({
      ok: false,
      scause: 7,
      stval: VA,
      pte: null,
      pteAddr: null,
      reads: 1, // the root entry was read; the table it points at is not memory
    });
  });

  test.each(ACCESSES)("a leaf whose frame is outside physical memory is an access fault for %s", (access) => {
    const memory = newMemory(8);
    map(memory, VA, 0x8000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U);
    const t = translate(SATP, VA, access, memory);
    expect(t).toEqual({
      ok: false,
      scause: ACCESS_FAULT[access],
      stval: VA,
      pte: PA2PTE(0x8000) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_U,
      pteAddr: L0 + 0x48,
      reads: 2,
    });
  });

  test("a megapage that runs past the end of memory translates its first part and access-faults beyond", () => {
    const memory = newMemory(16);
    memory.write32(ROOT + 1 * 4, PA2PTE(0) | URW); // va 0x00400000.. -> pa 0..
    expect(expectPa(translate(SATP, 0x0040f000, "read", memory))).toBe(0xf000);
    expectFault(translate(SATP, 0x00410000, "read", memory), 5, 0x00410000);
  });

  test("Bare mode (satp.MODE = 0) passes addresses through without reading any PTE", () => {
    const memory = newMemory(8);
    const readOnly: PageTableMemory = {
      read32: () => {
        throw new Error("Bare mode read a PTE");
      },
      contains: (pa) => memory.contains(pa),
    };
    expect(translate(0, 0x7ffc, "write", readOnly)).toEqual({
      ok: true,
      pa: 0x7ffc,
      pte: 0,
      pteAddr: 0,
      level: 0,
      pteUpdate: false,
      reads: 0,
    });
    expectFault(translate(0, 0x8000, "execute", readOnly), 1, 0x8000);
  });
});

describe("lookupLeaf", () => {
  test("returns the leaf PTE and where it is, as memory holds it (no A/D added)", () => {
    const memory = newMemory();
    map(memory, VA, DATA, URW);
    expect(lookupLeaf(SATP, VA, memory)).toEqual({ pte: PA2PTE(DATA) | URW, pteAddr: L0 + 0x48 });
  });

  test("returns the invalid root entry where the walk stops, and null in Bare mode or outside memory", () => {
    const memory = newMemory();
    expect(lookupLeaf(SATP, 0x00c00000, memory)).toEqual({ pte: 0, pteAddr: ROOT + 12 });
    expect(lookupLeaf(0, VA, memory)).toBeNull();
    expect(lookupLeaf(MAKE_SATP(0x100000, 1), VA, memory)).toBeNull();
  });

  test("returns a megapage leaf from the root table", () => {
    const memory = newMemory();
    memory.write32(ROOT + 4, PA2PTE(0x400000) | URW);
    expect(lookupLeaf(SATP, 0x00400123, memory)).toEqual({ pte: PA2PTE(0x400000) | URW, pteAddr: ROOT + 4 });
  });
});
