import { PA2PTE, PTE_A, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W } from "./riscv";
import { Tlb, TlbEntry } from "./tlb";

const URW = PTE_V | PTE_R | PTE_W | PTE_U | PTE_A;

// A cached 4 KiB translation of `va` in `asid` to the frame at `pa`.
function page(asid: number, va: number, pa: number, flags = URW): TlbEntry {
  return { asid, vpn: va >>> 12, level: 0, pte: PA2PTE(pa) | flags, pteAddr: 0x1000 };
}

// A cached 4 MiB translation of `va` in `asid` to the megapage at `pa`.
function megapage(asid: number, va: number, pa: number, flags = URW): TlbEntry {
  return { asid, vpn: va >>> 22, level: 1, pte: PA2PTE(pa) | flags, pteAddr: 0x1000 };
}

// The frame a lookup finds, or null on a miss.
function frameOf(tlb: Tlb, asid: number, va: number): number | null {
  const e = tlb.lookup(asid, va);
  return e === undefined ? null : (e.pte >>> 10) * 4096;
}

describe("Tlb: lookup and ASIDs", () => {
  test("an empty TLB misses", () => {
    expect(new Tlb(4).lookup(1, 0x1000)).toBeUndefined();
  });

  test("a cached page is found for any address inside it, and only there", () => {
    const tlb = new Tlb(4);
    const entry = page(1, 0x5000, 0x9000);
    tlb.insert(entry);
    expect(tlb.lookup(1, 0x5000)).toBe(entry);
    expect(tlb.lookup(1, 0x5fff)).toBe(entry);
    expect(tlb.lookup(1, 0x4fff)).toBeUndefined();
    expect(tlb.lookup(1, 0x6000)).toBeUndefined();
  });

  test("the same virtual address in two ASIDs holds two different translations", () => {
    const tlb = new Tlb(4);
    tlb.insert(page(1, 0x5000, 0x9000));
    tlb.insert(page(2, 0x5000, 0xa000));
    expect(frameOf(tlb, 1, 0x5000)).toBe(0x9000);
    expect(frameOf(tlb, 2, 0x5000)).toBe(0xa000);
    expect(frameOf(tlb, 3, 0x5000)).toBeNull();
  });

  test("a global (PTE_G) entry serves every ASID", () => {
    const tlb = new Tlb(4);
    tlb.insert(page(1, 0x5000, 0x9000, URW | PTE_G));
    expect(frameOf(tlb, 1, 0x5000)).toBe(0x9000);
    expect(frameOf(tlb, 7, 0x5000)).toBe(0x9000);
  });

  test("a megapage entry covers all 4 MiB of its range and nothing beyond", () => {
    const tlb = new Tlb(4);
    const entry = megapage(1, 0x00c00000, 0x00800000);
    tlb.insert(entry);
    expect(tlb.lookup(1, 0x00c00000)).toBe(entry);
    expect(tlb.lookup(1, 0x00ffffff)).toBe(entry);
    expect(tlb.lookup(1, 0x00bfffff)).toBeUndefined();
    expect(tlb.lookup(1, 0x01000000)).toBeUndefined();
  });

  test("addresses above 2^31 are cached and found like any other", () => {
    const tlb = new Tlb(4);
    tlb.insert(page(5, 0xfffff000, 0x3000));
    expect(frameOf(tlb, 5, 0xffffffff)).toBe(0x3000);
  });
});

describe("Tlb: replacement", () => {
  test("at capacity the oldest entry is evicted first (FIFO), and entries() lists oldest first", () => {
    const tlb = new Tlb(2);
    const a = page(1, 0x1000, 0x10000);
    const b = page(1, 0x2000, 0x11000);
    const c = page(1, 0x3000, 0x12000);
    tlb.insert(a);
    tlb.insert(b);
    tlb.lookup(1, 0x1000); // a use does not make an entry younger
    tlb.insert(c);
    expect(tlb.lookup(1, 0x1000)).toBeUndefined();
    expect(tlb.entries()).toEqual([b, c]);
  });

  test("inserting the same page again replaces its entry instead of adding a second one", () => {
    const tlb = new Tlb(2);
    tlb.insert(page(1, 0x1000, 0x10000, PTE_V | PTE_R | PTE_U | PTE_A));
    tlb.insert(page(1, 0x2000, 0x11000));
    tlb.insert(page(1, 0x1000, 0x10000));
    expect(tlb.entries().length).toBe(2);
    expect(tlb.lookup(1, 0x1000)!.pte & PTE_W).toBe(PTE_W);
    expect(tlb.lookup(1, 0x2000)).toBeDefined();
  });

  test("a TLB of capacity 0 caches nothing", () => {
    const tlb = new Tlb(0);
    tlb.insert(page(1, 0x1000, 0x10000));
    expect(tlb.lookup(1, 0x1000)).toBeUndefined();
    expect(tlb.entries()).toEqual([]);
  });

  test("a TLB of a negative or fractional size cannot be built", () => {
    for (const [size, shown] of [
      [-1, "-1"],
      [1.5, "1.5"],
    ] as const) {
      let caught: unknown;
      try {
        new Tlb(size);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(RangeError);
      expect((caught as Error).message).toBe(`Cannot build a TLB of ${shown} entries: give a whole number, 0 or more`);
    }
  });
});

describe("Tlb: sfence.vma", () => {
  // Two ASIDs each caching 0x1000 and 0x2000, plus a global entry at 0x3000.
  function filled(): Tlb {
    const tlb = new Tlb(8);
    tlb.insert(page(1, 0x1000, 0x10000));
    tlb.insert(page(1, 0x2000, 0x11000));
    tlb.insert(page(2, 0x1000, 0x20000));
    tlb.insert(page(2, 0x2000, 0x21000));
    tlb.insert(page(1, 0x3000, 0x30000, URW | PTE_G));
    return tlb;
  }

  // Which of the five entries are still cached, as "asid:va".
  function cached(tlb: Tlb): string[] {
    return tlb.entries().map((e) => `${e.asid}:${(e.vpn * 4096).toString(16)}${e.pte & PTE_G ? "G" : ""}`);
  }

  test("sfence.vma x0, x0 (null, null) drops every entry, global ones included", () => {
    const tlb = filled();
    tlb.flush(null, null);
    expect(tlb.entries()).toEqual([]);
  });

  test("sfence.vma va, x0 (va, null) drops that page in every address space, global entries included", () => {
    const tlb = filled();
    tlb.flush(0x1234, null);
    expect(cached(tlb)).toEqual(["1:2000", "2:2000", "1:3000G"]);
    tlb.flush(0x3000, null);
    expect(cached(tlb)).toEqual(["1:2000", "2:2000"]);
  });

  test("sfence.vma x0, asid (null, asid) drops every page of that ASID but keeps global entries", () => {
    const tlb = filled();
    tlb.flush(null, 1);
    expect(cached(tlb)).toEqual(["2:1000", "2:2000", "1:3000G"]);
    expect(frameOf(tlb, 1, 0x3000)).toBe(0x30000);
  });

  test("sfence.vma va, asid (va, asid) drops only that page of that ASID", () => {
    const tlb = filled();
    tlb.flush(0x1000, 2);
    expect(cached(tlb)).toEqual(["1:1000", "1:2000", "2:2000", "1:3000G"]);
  });

  test("a global entry survives an ASID-scoped fence for its own address but not an address-only fence", () => {
    const tlb = filled();
    tlb.flush(0x3000, 1);
    expect(frameOf(tlb, 2, 0x3000)).toBe(0x30000);
    tlb.flush(0x3000, null);
    expect(frameOf(tlb, 2, 0x3000)).toBeNull();
  });

  test("an address fence anywhere inside a megapage drops the megapage entry", () => {
    const tlb = new Tlb(4);
    tlb.insert(megapage(1, 0x00c00000, 0x00800000));
    tlb.flush(0x00bff000, 1);
    expect(tlb.entries().length).toBe(1);
    tlb.flush(0x00e01000, 1);
    expect(tlb.entries()).toEqual([]);
  });

  test("a fence for an ASID with nothing cached changes nothing", () => {
    const tlb = filled();
    tlb.flush(null, 9);
    expect(tlb.entries().length).toBe(5);
  });
});
