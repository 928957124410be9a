import { firstDifference } from "./compare";
import type { KernelState } from "./difference";
import { BSS, C, COW, P, RW, RX, TEXT, at, checkpoint, state } from "./_samples";

const p = (va: number) => ({ process: P, va });
const c = (va: number) => ({ process: C, va });

/** P and C sharing text and bss after a fork, the frames at `base` and `base + 0x1000`. */
function forked(base: number, bss: Partial<Parameters<typeof state>[0][number]> = {}) {
  return state([
    { pa: base, mappers: [p(TEXT), c(TEXT)], flags: RX },
    { pa: base + 0x1000, mappers: [p(BSS), c(BSS)], flags: COW, ...bss },
  ]);
}

describe("firstDifference", () => {
  it("matches frames by the pages that map them, never by their physical addresses", () => {
    const mine = [checkpoint(at("uvmcopy", P), forked(0x80000))];
    const reference = [checkpoint(at("uvmcopy", P), forked(0x3000))];
    expect(firstDifference(mine, reference)).toBeNull();
  });

  it("calls a count one short of the PTEs that map the frame a reference count, where it happened", () => {
    const mine = [checkpoint(at("uvmcopy", P), forked(0x5000, { ref: 1 }))];
    const reference = [checkpoint(at("uvmcopy", P), forked(0x5000))];
    expect(firstDifference(mine, reference)).toMatchObject({
      kind: "refcount",
      at: { kind: "call", fn: "uvmcopy" },
      page: p(BSS),
      expected: 2,
      actual: 1,
      mappers: 2,
    });
  });

  it("names the page whose copy kept its reference to the old frame", () => {
    const before = forked(0x5000);
    const mine = state([
      { pa: 0x6000, mappers: [p(BSS)], flags: COW, ref: 2 },
      { pa: 0x9000, mappers: [c(BSS)], flags: RW },
    ]);
    const reference = state([
      { pa: 0x6000, mappers: [p(BSS)], flags: COW },
      { pa: 0x9000, mappers: [c(BSS)], flags: RW },
    ]);
    const d = firstDifference(
      [checkpoint(at("uvmcopy", P), before), checkpoint(at("cowfault", C, BSS, "ok"), mine)],
      [checkpoint(at("uvmcopy", P), before), checkpoint(at("cowfault", C, BSS, "ok"), reference)],
    );
    expect(d).toMatchObject({ kind: "refcount", page: p(BSS), expected: 1, actual: 2, leftBy: c(BSS) });
  });

  it("tells a copy made where the reference kept the frame by the page's own frame before and after", () => {
    const alone = (pa: number, flags: number) => state([{ pa, mappers: [p(BSS)], flags }]);
    const d = firstDifference(
      [checkpoint(at("uvmcopy", P), alone(0x5000, COW)), checkpoint(at("cowfault", P, BSS, "ok"), alone(0x7000, RW))],
      [checkpoint(at("uvmcopy", P), alone(0x2000, COW)), checkpoint(at("cowfault", P, BSS, "ok"), alone(0x2000, RW))],
    );
    expect(d).toMatchObject({ kind: "copied-instead-of-reused", page: p(BSS), flags: RW });
  });

  it("says a PTE's flags differ before anything else about that page", () => {
    const mine = state([{ pa: 0x5000, mappers: [p(BSS), c(BSS)], flags: RW }]);
    const reference = state([{ pa: 0x5000, mappers: [p(BSS), c(BSS)], flags: COW }]);
    expect(firstDifference([checkpoint(at("uvmcopy", P), mine)], [checkpoint(at("uvmcopy", P), reference)])).toEqual({
      kind: "pte-flags",
      at: at("uvmcopy", P),
      page: p(BSS),
      expected: COW,
      actual: RW,
    });
  });

  it("puts what a call returned first", () => {
    const s = forked(0x5000);
    const d = firstDifference(
      [checkpoint(at("cowfault", C, BSS, "out-of-memory"), s)],
      [checkpoint(at("cowfault", C, BSS, "ok"), forked(0x5000, { ref: 1 }))],
    );
    expect(d).toMatchObject({ kind: "returned", expected: "ok", actual: "out-of-memory", freeFrames: 100 });
  });

  it("counts page-table pages left allocated beyond the reference's as frames not freed", () => {
    const left = [
      { pa: 0x20000, pageTable: true },
      { pa: 0x21000, pageTable: true },
    ];
    const mine = state([{ pa: 0x5000, mappers: [p(TEXT)], flags: RX }], left);
    const reference = state([{ pa: 0x5000, mappers: [p(TEXT)], flags: RX }]);
    const d = firstDifference(
      [checkpoint(at("uvmfree", C, null, ""), mine)],
      [checkpoint(at("uvmfree", C, null, ""), reference)],
    );
    expect(d).toMatchObject({ kind: "frame-not-freed", frames: 0, pageTables: 2, formerly: null });
  });

  it("says what a page-table page left allocated was, from the same kernel's previous checkpoint", () => {
    const before = state([{ pa: 0x5000, mappers: [p(TEXT)], flags: RX }]); // P's tables: 0x1000 (root), 0x101000
    const after = (leaked: KernelState["leaked"]) => state([], leaked);
    const d = firstDifference(
      [
        checkpoint(at("uvmcopy", P), before),
        checkpoint(at("uvmfree", P, null, ""), after([{ pa: 0x101000, pageTable: true }])),
      ],
      [checkpoint(at("uvmcopy", P), before), checkpoint(at("uvmfree", P, null, ""), after([]))],
    );
    expect(d).toMatchObject({ kind: "frame-not-freed", formerly: { process: P, role: "level-0 table", va: 0 } });
  });

  it("reports a call the other kernel did not make when the states agree up to it", () => {
    const s = forked(0x5000);
    const d = firstDifference(
      [checkpoint(at("cowfault", C, BSS, "ok"), s), checkpoint(at("cowfault", C, BSS, "not-cow"), s)],
      [checkpoint(at("cowfault", C, BSS, "ok"), s), checkpoint({ kind: "end" }, s)],
    );
    expect(d).toMatchObject({ kind: "call", at: { fn: "cowfault", result: "not-cow" }, expected: { kind: "end" } });
  });
});
