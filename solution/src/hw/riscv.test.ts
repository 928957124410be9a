import {
  ASIDMAX,
  MAKE_SATP,
  PA2PTE,
  PGROUNDDOWN,
  PGROUNDUP,
  PTE2PA,
  PTE2PPN,
  PTE_A,
  PTE_COW,
  PTE_D,
  PTE_FLAGS,
  PTE_R,
  PTE_RSW0,
  PTE_U,
  PTE_V,
  PTE_W,
  PX,
  SATP_ASID,
  SATP_MODE,
  SATP_MODE_SV32,
  SATP_PPN,
} from "./riscv";

describe("Sv32 virtual address fields", () => {
  test("PX(1, va) is bits 31..22 and PX(0, va) bits 21..12 of the address", () => {
    // 0x12345678 = 0001001000 1101000101 011001111000
    expect(PX(1, 0x12345678)).toBe(0x048);
    expect(PX(0, 0x12345678)).toBe(0x345);
  });

  test("PX takes the top index of the highest address, 0xffffffff, as 1023 at both levels", () => {
    expect(PX(1, 0xffffffff)).toBe(0x3ff);
    expect(PX(0, 0xffffffff)).toBe(0x3ff);
  });

  test("PX ignores the page offset", () => {
    expect(PX(0, 0x00001fff)).toBe(1);
    expect(PX(1, 0x003fffff)).toBe(0);
    expect(PX(1, 0x00400000)).toBe(1);
  });

  test("PGROUNDUP and PGROUNDDOWN round to 4096-byte boundaries and keep aligned values", () => {
    expect(PGROUNDUP(1)).toBe(4096);
    expect(PGROUNDUP(4096)).toBe(4096);
    expect(PGROUNDUP(0)).toBe(0);
    expect(PGROUNDDOWN(8191)).toBe(4096);
    expect(PGROUNDDOWN(0xfffff001)).toBe(0xfffff000);
  });
});

describe("Sv32 page-table entries", () => {
  test("PA2PTE puts the physical page number in bits 31..10 and no flags", () => {
    expect(PA2PTE(0x5000)).toBe(0x5 << 10);
    expect(PTE_FLAGS(PA2PTE(0x12345000))).toBe(0);
  });

  test("PA2PTE of a page number at or above 2^21 gives a positive 32-bit PTE, not a negative one", () => {
    expect(PA2PTE(2 ** 21 * 4096)).toBe(0x80000000);
    expect(PA2PTE((2 ** 22 - 1) * 4096)).toBe(0xfffffc00);
  });

  test("PTE2PA undoes PA2PTE for every page-number width, flags set or not", () => {
    for (const pa of [0, 0x1000, 0x3ff000, 2 ** 21 * 4096, (2 ** 22 - 1) * 4096]) {
      expect(PTE2PA(PA2PTE(pa))).toBe(pa);
      expect(PTE2PA(PA2PTE(pa) | PTE_V | PTE_R | PTE_W | PTE_D | PTE_COW)).toBe(pa);
    }
  });

  test("PTE2PPN returns the 22-bit page number of a PTE", () => {
    expect(PTE2PPN((PA2PTE(0x3fffff000) | PTE_V | PTE_A) >>> 0)).toBe(0x3fffff);
    expect(PTE2PPN(0xfffffc00 | PTE_V)).toBe(0x3fffff);
  });

  test("PTE_FLAGS keeps bits 9..0 (V to D and both RSW bits)", () => {
    expect(PTE_FLAGS(0xffffffff)).toBe(0x3ff);
    expect(PTE_FLAGS(PA2PTE(0x7000) | PTE_U | PTE_RSW0)).toBe(PTE_U | PTE_RSW0);
  });

  test("the copy-on-write bit is RSW bit 8, which the hardware leaves to software", () => {
    expect(PTE_COW).toBe(1 << 8);
  });
});

describe("satp", () => {
  test("MAKE_SATP sets MODE=Sv32 in bit 31, the ASID in bits 30..22 and the root's PPN in bits 21..0", () => {
    const satp = MAKE_SATP(0x5000, 3);
    expect(satp).toBe(0x80c00005);
    expect(SATP_MODE(satp)).toBe(SATP_MODE_SV32);
    expect(SATP_ASID(satp)).toBe(3);
    expect(SATP_PPN(satp)).toBe(5);
  });

  test("the widest satp (ASID 511, PPN 2^22-1) is 0xffffffff and its fields read back", () => {
    const satp = MAKE_SATP((2 ** 22 - 1) * 4096, ASIDMAX);
    expect(satp).toBe(0xffffffff);
    expect(SATP_MODE(satp)).toBe(1);
    expect(SATP_ASID(satp)).toBe(511);
    expect(SATP_PPN(satp)).toBe(0x3fffff);
  });

  test("satp 0 is Bare mode with ASID 0 and PPN 0", () => {
    expect(SATP_MODE(0)).toBe(0);
    expect(SATP_ASID(0)).toBe(0);
    expect(SATP_PPN(0)).toBe(0);
  });
});
