import { CHILD_TABLE, DIFFERENCE_KINDS } from "./difference";
import { describeDifference, describeKind, flagNames, hintOf } from "./describe";
import { BSS, COW, C, ONE_OF_EACH, P, RW, RX, TEXT, at } from "./_samples";

describe("flagNames", () => {
  it("names the permission bits as r, w, x, then u and COW", () => {
    expect([flagNames(RX), flagNames(RW), flagNames(COW)]).toEqual(["r-x u", "rw- u", "r-- u COW"]);
  });
});

describe("describeDifference", () => {
  it("says which page of which process, with the flags named and the address in hex, on both kernels", () => {
    const text = describeDifference({
      kind: "pte-flags",
      at: at("uvmcopy", P),
      page: { process: P, va: BSS },
      expected: COW,
      actual: RW,
    });
    expect(text).toBe(
      "Right after uvmcopy() for P (pid 1) returned 0, the PTE of P (pid 1)'s page at 0x00015000 is rw- u on your kernel; " +
        "on the reference kernel it is r-- u COW.",
    );
  });

  it("names the copy whose old frame kept its reference", () => {
    const text = describeDifference({
      kind: "refcount",
      at: at("cowfault", C, BSS, "ok"),
      page: { process: P, va: BSS },
      expected: 1,
      actual: 2,
      mappers: 1,
      leftBy: { process: C, va: BSS },
    });
    expect(text).toContain(
      "the frame P (pid 1) maps at 0x00015000 has reference count 2 on your kernel, and 1 PTE maps it",
    );
    expect(text).toContain(
      "When C (pid 2)'s page at 0x00015000 moved to a copy of that frame, its reference to the old frame was never dropped.",
    );
  });

  it("says where the reference kernel's copy went when a function gave up", () => {
    const text = describeDifference(ONE_OF_EACH.find((d) => d.kind === "returned")!);
    expect(text).toBe(
      'Right after cowfault() for C (pid 2) at 0x00015000 returned, your function returned "out-of-memory" while 1 frame was free; ' +
        'on the reference kernel it returned "ok" (its new frame was at physical address 0x00000000, a frame like any other).',
    );
  });

  it("names a scenario's step as its messages and traces do, and the pages that share a frame", () => {
    expect(describeDifference(ONE_OF_EACH.find((d) => d.kind === "sharing")!)).toBe(
      "After step 4.2, round 3 (fork P as C), P (pid 1)'s page at 0x00015000 shares its frame with no other page on your kernel; " +
        "on the reference kernel with C (pid 2)'s page at 0x00015000.",
    );
  });

  it("writes a sentence for every kind", () => {
    for (const d of ONE_OF_EACH) expect(describeDifference(d)).toMatch(/^[A-Z].*\.$/s);
    expect(new Set(ONE_OF_EACH.map((d) => d.kind))).toEqual(new Set(DIFFERENCE_KINDS));
  });
});

describe("describeKind", () => {
  it("says only the kind of thing: no address, no value, no flag", () => {
    for (const kind of DIFFERENCE_KINDS) {
      const text = describeKind(kind);
      expect({ kind, text }).toEqual({ kind, text: expect.stringMatching(/^Where your kernel first differed/) });
      expect(text).not.toMatch(/0x|\d|rw-|r--/);
    }
  });
});

describe("hintOf", () => {
  const d = ONE_OF_EACH.find((x) => x.kind === "pte-flags")!;

  it("is the rubric's hint when nothing was found to differ", () => {
    expect(hintOf(undefined, "Fence with the ASID you are given.", true)).toBe("Fence with the ASID you are given.");
  });

  it("is the whole difference for an item shown in full, its kind alone otherwise", () => {
    expect(hintOf(d, "fixed", true)).toBe(describeDifference(d));
    expect(hintOf(d, "fixed", false)).toBe(
      "Where your kernel first differed from the reference kernel: a PTE's flags.",
    );
  });
});

it("names a page of the child table uvmcopy() was given by that table, without a pid", () => {
  const text = describeDifference({
    kind: "mapping",
    at: at("uvmcopy", P, null, "-1"),
    page: { process: CHILD_TABLE, va: TEXT },
    expected: null,
    actual: RX,
  });
  expect(text).toBe(
    "Right after uvmcopy() for P (pid 1) returned -1, the page at 0x00010000 in the child page table given to uvmcopy() " +
      "is mapped r-x u on your kernel; on the reference kernel it is not mapped.",
  );
});
