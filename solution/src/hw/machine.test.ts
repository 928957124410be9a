import { COST } from "./cost";
import { JUNK } from "./memory";
import { COUNTER_NAMES, Machine, StepBudgetExceeded, Trap, TrapAction, TrapLoopError } from "./machine";
import { MAKE_SATP, PA2PTE, PGSIZE, PTE_A, PTE_COW, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PX, SSTATUS_SUM } from "./riscv";

// Test layout (64 frames): process A's root and level-0 tables in frames 1
// and 2 (ASID 1), process B's in frames 3 and 4 (ASID 2), data frames from
// 0x10000 up. VA is page-aligned; its level-0 entries sit at index 0x12.
const ROOT_A = 0x1000;
const L0_A = 0x2000;
const ROOT_B = 0x3000;
const L0_B = 0x4000;
const SATP_A = MAKE_SATP(ROOT_A, 1);
const SATP_B = MAKE_SATP(ROOT_B, 2);
const VA = 0x00012000;
const F1 = 0x10000;
const F2 = 0x11000;
const F3 = 0x12000;
const URW = PTE_V | PTE_R | PTE_W | PTE_U;
const URO = PTE_V | PTE_R | PTE_U;
const WALK = 2 * COST.walk; // Sv32 reads two PTEs for a 4 KiB page

function newMachine(config: { frames?: number; tlbEntries?: number; stepBudget?: number } = {}): Machine {
  return new Machine({ frames: 64, tlbEntries: 8, ...config });
}

// Where the level-0 table `l0` holds the PTE for `va`.
function pteAddr(l0: number, va: number): number {
  return l0 + PX(0, va) * 4;
}

// Maps the 4 KiB page at `va` to the frame at `pa`, as a kernel would: the
// root entry points at `l0`, and the leaf gets `flags`.
function map(m: Machine, root: number, l0: number, va: number, pa: number, flags: number): void {
  m.write32(root + PX(1, va) * 4, PA2PTE(l0) | PTE_V);
  m.write32(pteAddr(l0, va), PA2PTE(pa) | flags);
}

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

// Installs a handler that records every trap and answers with `handle`.
function install(m: Machine, handle: (trap: Trap) => TrapAction): Trap[] {
  const traps: Trap[] = [];
  m.stvec = (trap) => {
    traps.push(trap);
    return handle(trap);
  };
  return traps;
}

// The error `fn` throws; fails the test when it throws nothing.
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`threw a non-Error: ${String(e)}`);
  }
  throw new Error("expected an exception, but none was thrown");
}

describe("the stale-TLB demonstration: fork that forgets sfence.vma", () => {
  // A writes its page (the TLB now caches a writable, dirty entry), then a
  // fork makes the page read-only + COW in A and maps the same frame in B.
  function forkedWithoutFence(): Machine {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    expect(m.store(VA, bytes(1, 2, 3, 4))).toBe("ok");
    // the parent's PTE goes from RW to RO + COW; the child shares the frame
    m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URO | PTE_A | PTE_D | PTE_COW);
    map(m, ROOT_B, L0_B, VA, F1, URO | PTE_COW);
    return m;
  }

  test("without sfence.vma, A's next store goes through the stale writable entry into the shared frame, and B sees it", () => {
    const m = forkedWithoutFence();
    const traps = install(m, () => "SIGSEGV");
    expect(m.store(VA, bytes(0xee))).toBe("ok");
    expect(traps).toEqual([]);
    expect(m.counters().pageFaults).toBe(0);
    m.satp = SATP_B;
    expect(m.load(VA, 4)).toEqual(bytes(0xee, 2, 3, 4));
    expect(m.peekPhysical(F1, 1)).toEqual(bytes(0xee));
  });

  test("with sfence.vma after the PTE change, the same store faults; a COW break then keeps B's copy intact", () => {
    const m = forkedWithoutFence();
    m.sfence_vma(null, 1); // the parent's PTE went from RW to RO: flush, or its TLB entry stays writable
    const traps = install(m, () => {
      m.copyFrame(F2, F1);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      m.sfence_vma(VA, 1);
      return "resume";
    });
    expect(m.store(VA, bytes(0xee))).toBe("ok");
    expect(traps).toEqual([{ scause: 15, stval: VA, priv: "U" }]);
    expect(m.load(VA, 4)).toEqual(bytes(0xee, 2, 3, 4));
    m.satp = SATP_B;
    expect(m.load(VA, 4)).toEqual(bytes(1, 2, 3, 4));
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 1, cowCopies: 1, cowReuses: 0, framesCopied: 1 });
  });

  test("an entry cached by a load alone (no D) does not let a store through: the store walks again and faults", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    expect(m.load(VA, 1)).toEqual(bytes(0));
    m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URO | PTE_A | PTE_COW);
    const traps = install(m, () => "SIGSEGV");
    expect(m.store(VA, bytes(0xee))).toBe("killed");
    expect(traps).toEqual([{ scause: 15, stval: VA, priv: "U" }]);
  });

  test("a handler that makes the PTE writable but forgets sfence.vma faults again on the stale read-only entry", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URO | PTE_A | PTE_D | PTE_COW);
    m.satp = SATP_A;
    m.load(VA, 1); // caches the read-only entry, D already set
    let calls = 0;
    install(m, () => {
      calls++;
      m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW | PTE_A | PTE_D);
      return "resume";
    });
    const e = thrown(() => m.store(VA + 8, bytes(1)));
    expect(e).toBeInstanceOf(TrapLoopError);
    expect(e.message).toBe(
      "usertrap: a store at 0x00012008 faulted 5 times in a row although the trap handler said it was fixed " +
        "each time; the PTE is now 0x000040d7. A handler that returns success must leave a PTE that allows " +
        "the access, and fence the old translation with sfence.vma",
    );
    expect(calls).toBe(4);
  });
});

describe("Machine: traps", () => {
  test.each([
    ["a U-mode store", (m: Machine) => m.store(VA + 0x10, bytes(1)), { scause: 15, stval: VA + 0x10, priv: "U" }],
    ["a U-mode load", (m: Machine) => m.load(VA + 0x20, 4), { scause: 13, stval: VA + 0x20, priv: "U" }],
    ["a U-mode fetch", (m: Machine) => m.load(VA, 4, "U", "execute"), { scause: 12, stval: VA, priv: "U" }],
    ["an S-mode store", (m: Machine) => m.store(VA + 1, bytes(1), "S"), { scause: 15, stval: VA + 1, priv: "S" }],
  ])("%s to an unmapped page is delivered to stvec with scause, stval and the mode", (_name, access, trap) => {
    const m = newMachine();
    m.satp = SATP_A;
    const traps = install(m, () => "SIGSEGV");
    expect(access(m)).toBe("killed");
    expect(traps).toEqual([trap]);
  });

  test("stval is the first byte of the page that faulted, for an access that crosses into it", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    const traps = install(m, () => "SIGSEGV");
    expect(m.store(VA + PGSIZE - 2, bytes(1, 2, 3, 4))).toBe("killed");
    expect(traps).toEqual([{ scause: 15, stval: VA + PGSIZE, priv: "U" }]);
  });

  test("a leaf that points outside physical memory is an access fault (7), delivered but not counted as a page fault", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, 0x100000, URW);
    m.satp = SATP_A;
    const traps = install(m, () => "SIGSEGV");
    expect(m.store(VA, bytes(1))).toBe("killed");
    expect(traps).toEqual([{ scause: 7, stval: VA, priv: "U" }]);
    expect(m.counters()).toMatchObject({ pageFaults: 0, segfaults: 1 });
  });

  test('"resume" retries the access, which completes once the handler has mapped the page', () => {
    const m = newMachine();
    m.write32(ROOT_A + PX(1, VA) * 4, PA2PTE(L0_A) | PTE_V);
    m.satp = SATP_A;
    const traps = install(m, () => {
      m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW);
      return "resume";
    });
    expect(m.store(VA + 5, bytes(7, 8))).toBe("ok");
    expect(traps).toHaveLength(1);
    expect(m.peekPhysical(F1 + 5, 2)).toEqual(bytes(7, 8));
    expect(m.load(VA + 5, 2)).toEqual(bytes(7, 8));
  });

  test('"fail" abandons a supervisor access and counts no kill', () => {
    const m = newMachine();
    m.satp = SATP_A;
    install(m, () => "fail");
    expect(m.store(VA, bytes(1), "S")).toBe("failed");
    expect(m.load(VA, 1, "S")).toBe("failed");
    expect(m.counters()).toMatchObject({ pageFaults: 2, segfaults: 0, oomKills: 0 });
  });

  test("S-mode reaches a U page only while sstatus.SUM is set", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    install(m, () => "fail");
    expect(m.store(VA, bytes(9), "S")).toBe("failed");
    m.sstatus = SSTATUS_SUM;
    expect(m.store(VA, bytes(9), "S")).toBe("ok");
    expect(m.peekPhysical(F1, 1)).toEqual(bytes(9));
  });

  test("a trap with no handler installed throws", () => {
    const m = newMachine();
    m.satp = SATP_A;
    const e = thrown(() => m.store(VA, bytes(1)));
    expect(e.message).toBe("Trap with scause 15 but no handler in stvec");
  });

  test("a handler that says resume without fixing anything gets TrapLoopError after 5 faults", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URO);
    m.satp = SATP_A;
    const traps = install(m, () => "resume");
    const e = thrown(() => m.store(VA + 0x345, bytes(1)));
    expect(e).toBeInstanceOf(TrapLoopError);
    expect(e.name).toBe("TrapLoopError");
    expect(e.message).toBe(
      "usertrap: a store at 0x00012345 faulted 5 times in a row although the trap handler said it was fixed " +
        "each time; the PTE is now 0x00004013. A handler that returns success must leave a PTE that allows " +
        "the access, and fence the old translation with sfence.vma",
    );
    expect(traps).toHaveLength(4);
  });

  test("TrapLoopError names a load, and an invalid PTE as 0x00000000", () => {
    const m = newMachine();
    m.satp = SATP_A;
    install(m, () => "resume");
    const e = thrown(() => m.load(0xfffff000, 1));
    expect(e.message).toBe(
      "usertrap: a load at 0xfffff000 faulted 5 times in a row although the trap handler said it was fixed " +
        "each time; the PTE is now 0x00000000. A handler that returns success must leave a PTE that allows " +
        "the access, and fence the old translation with sfence.vma",
    );
  });

  test("TrapLoopError names the access kind for access faults too, and a PTE it cannot reach as missing", () => {
    const m = newMachine();
    m.satp = MAKE_SATP(0x100000, 1); // root table outside memory: every access is an access fault
    install(m, () => "resume");
    expect(thrown(() => m.load(VA, 1)).message).toBe(
      "usertrap: a load at 0x00012000 faulted 5 times in a row although the trap handler said it was fixed " +
        "each time; the PTE is now missing. A handler that returns success must leave a PTE that allows " +
        "the access, and fence the old translation with sfence.vma",
    );
    expect(thrown(() => m.load(VA, 1, "U", "execute")).message).toMatch(/^usertrap: a fetch at 0x00012000 faulted 5/);
  });

  test("the step budget stops a runaway kernel with StepBudgetExceeded", () => {
    const m = newMachine({ stepBudget: 3 });
    m.write32(0, 1);
    m.read32(0);
    m.zeroFrame(0);
    const e = thrown(() => m.write32(4, 1));
    expect(e).toBeInstanceOf(StepBudgetExceeded);
    expect(e.name).toBe("StepBudgetExceeded");
    expect(e.message).toBe(
      "The machine ran out of its budget of 3 steps: some kernel code is looping " +
        "(a loop over page-table entries that never ends, or a fault that is retried forever)",
    );
    expect(m.peek32(4)).toBe(0);
  });

  test("every translation attempt of a user access takes a step from the budget", () => {
    const m = newMachine({ stepBudget: 4 });
    m.satp = SATP_A;
    let calls = 0;
    install(m, () => (calls++, "resume"));
    expect(thrown(() => m.load(VA, 1))).toBeInstanceOf(StepBudgetExceeded);
    expect(calls).toBe(4);
  });
});

describe("Machine: fault counters", () => {
  // A machine running A with VA mapped to F1 with `flags`, and a handler.
  function running(flags: number, handle: (m: Machine) => TrapAction): Machine {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, flags);
    m.satp = SATP_A;
    install(m, () => handle(m));
    return m;
  }

  test("a store fault on a present COW leaf resolved onto a different frame counts a COW fault and a copy", () => {
    const m = running(URO | PTE_COW, (m) => {
      m.copyFrame(F2, F1);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      return "resume";
    });
    expect(m.store(VA, bytes(1))).toBe("ok");
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 1, cowCopies: 1, cowReuses: 0 });
  });

  test("a COW fault resolved by making the same frame writable counts a reuse, not a copy", () => {
    const m = running(URO | PTE_COW, (m) => {
      m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW);
      return "resume";
    });
    expect(m.store(VA, bytes(1))).toBe("ok");
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 1, cowCopies: 0, cowReuses: 1, framesCopied: 0 });
  });

  test("a COW fault counts as a copy when a frame was copied before the retry succeeded (SCENARIOS.md)", () => {
    const m = running(URO | PTE_COW, (m) => {
      m.copyFrame(F3, F1); // copied, even though this handler leaves the PTE on F1
      m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW);
      return "resume";
    });
    m.store(VA, bytes(1));
    expect(m.counters()).toMatchObject({ cowCopies: 1, cowReuses: 0, framesCopied: 1 });
  });

  test("a COW fault counts as a copy when the page ends up on another frame, even if no frame was copied", () => {
    const m = running(URO | PTE_COW, (m) => {
      m.write32(pteAddr(L0_A, VA), PA2PTE(F3) | URW); // remapped without copying the data
      return "resume";
    });
    m.store(VA, bytes(1));
    expect(m.counters()).toMatchObject({ cowCopies: 1, cowReuses: 0, framesCopied: 0 });
  });

  test("a COW fault resolved by copying the frame in two halves counts one frame copied and a copy, not a reuse", () => {
    const m = running(URO | PTE_COW, (m) => {
      m.copyPhysical(F2, F1, PGSIZE / 2);
      m.copyPhysical(F2 + PGSIZE / 2, F1 + PGSIZE / 2, PGSIZE / 2);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      return "resume";
    });
    expect(m.store(VA, bytes(1))).toBe("ok");
    expect(m.counters()).toMatchObject({ cowFaults: 1, cowCopies: 1, cowReuses: 0, framesCopied: 1 });
  });

  test("copyPhysical in 4096 one-byte pieces copies the bytes and counts one frame copied", () => {
    const m = newMachine();
    const pattern = Uint8Array.from({ length: PGSIZE }, (_, i) => (i * 5 + 1) & 0xff);
    m.writePhysical(F1, pattern);
    for (let i = 0; i < PGSIZE; i++) m.copyPhysical(F2 + i, F1 + i, 1);
    expect(m.peekPhysical(F2, PGSIZE)).toEqual(pattern);
    expect(m.counters().framesCopied).toBe(1);
  });

  test("kernel word stores of words loaded from another data frame count that frame copied once; page tables are left out", () => {
    const m = newMachine();
    m.noteAllocated(true, L0_A);
    m.noteAllocated(true, L0_B);
    m.write32(L0_A, 0x1234);
    m.write32(L0_B, m.read32(L0_A)); // fork copying a PTE: no page copied
    expect(m.counters().framesCopied).toBe(0);
    m.writePhysical(F1, bytes(1, 2, 3, 4, 5, 6, 7, 8));
    m.write32(F2, m.read32(F1));
    m.write32(F2 + 4, m.read32(F1 + 4));
    expect(m.peekPhysical(F2, 8)).toEqual(bytes(1, 2, 3, 4, 5, 6, 7, 8));
    expect(m.counters().framesCopied).toBe(1);
  });

  test("a frame zeroed again (allocated anew) counts a copy into it again", () => {
    const m = newMachine();
    m.copyPhysical(F2, F1, 8);
    m.copyFrame(F2, F1);
    expect(m.counters().framesCopied).toBe(1);
    m.zeroFrame(F2);
    m.copyPhysical(F2, F1, 8);
    expect(m.counters().framesCopied).toBe(2);
  });

  test("a store fault on a present read-only page without PTE_COW is not a COW fault", () => {
    const m = running(URO, () => "SIGSEGV");
    expect(m.store(VA, bytes(1))).toBe("killed");
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 0, segfaults: 1 });
  });

  test("a fault on an invalid PTE that carries the COW bit is not a COW fault", () => {
    const m = running(PTE_R | PTE_U | PTE_COW, () => "SIGSEGV");
    m.store(VA, bytes(1));
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 0 });
  });

  test("a load fault is never a COW fault, even on a present COW page", () => {
    const m = running(PTE_V | PTE_R | PTE_COW, () => "SIGSEGV"); // no PTE_U: a U-mode load faults
    expect(m.load(VA, 1)).toBe("killed");
    expect(m.counters()).toMatchObject({ pageFaults: 1, cowFaults: 0 });
  });

  test("a COW fault whose handler kills counts neither a copy nor a reuse", () => {
    const m = running(URO | PTE_COW, () => "SIGKILL");
    expect(m.store(VA, bytes(1))).toBe("killed");
    expect(m.counters()).toMatchObject({ cowFaults: 1, cowCopies: 0, cowReuses: 0, oomKills: 1, segfaults: 0 });
  });

  test("an absent page made present after a frame was zeroed counts a demand-zero fault", () => {
    const m = running(0, (m) => {
      m.zeroFrame(F2);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      return "resume";
    });
    expect(m.load(VA, 1)).toEqual(bytes(0));
    expect(m.counters()).toMatchObject({ pageFaults: 1, demandZeroFaults: 1, framesZeroed: 1 });
  });

  test("an absent root entry counts as absent too", () => {
    const m = newMachine();
    m.satp = SATP_A;
    install(m, () => {
      m.zeroFrame(F1);
      map(m, ROOT_A, L0_A, VA, F1, URW);
      return "resume";
    });
    expect(m.store(VA, bytes(1))).toBe("ok");
    expect(m.counters().demandZeroFaults).toBe(1);
  });

  test("an absent page mapped without zeroing a frame is not a demand-zero fault", () => {
    const m = running(0, (m) => {
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      return "resume";
    });
    m.load(VA, 1);
    expect(m.counters()).toMatchObject({ pageFaults: 1, demandZeroFaults: 0 });
  });

  test("a present page's fault is not a demand-zero fault, even if the handler zeroes a frame", () => {
    const m = running(URO, (m) => {
      m.zeroFrame(F2);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F2) | URW);
      return "resume";
    });
    m.store(VA, bytes(1));
    expect(m.counters()).toMatchObject({ pageFaults: 1, demandZeroFaults: 0, cowFaults: 0 });
  });

  test("SIGSEGV counts a segfault and SIGKILL an OOM kill; both end the access as killed", () => {
    const segv = running(0, () => "SIGSEGV");
    expect(segv.load(VA, 1)).toBe("killed");
    expect(segv.counters()).toMatchObject({ segfaults: 1, oomKills: 0 });
    const kill = running(0, () => "SIGKILL");
    expect(kill.load(VA, 1)).toBe("killed");
    expect(kill.counters()).toMatchObject({ segfaults: 0, oomKills: 1 });
  });

  test("pageFaults counts every fault, repeats of one access included", () => {
    let calls = 0;
    const m = running(0, (m) => {
      if (++calls === 3) m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW);
      return "resume";
    });
    expect(m.store(VA, bytes(1))).toBe("ok");
    expect(m.counters().pageFaults).toBe(3);
  });
});

describe("Machine: counters and cycles", () => {
  test("counters() returns a copy: changing it changes nothing in the machine", () => {
    const m = newMachine();
    const c = m.counters();
    c.pageFaults = 99;
    c.cycles = -1;
    expect(m.counters().pageFaults).toBe(0);
    expect(m.counters().cycles).toBe(0);
  });

  test("counters() holds every counter of SCENARIOS.md, all 0 on a new machine", () => {
    const c = newMachine().counters();
    expect(Object.keys(c).sort()).toEqual([...COUNTER_NAMES].sort());
    for (const name of COUNTER_NAMES) expect(c[name]).toBe(0);
  });

  test("framesInUse is frames allocated minus frames freed; pageTableFrames follows page-table frames", () => {
    const m = newMachine();
    m.noteAllocated(true, F1);
    m.noteAllocated(false, F2);
    m.noteAllocated(false, F3);
    m.noteFreed(false, F2);
    expect(m.counters()).toMatchObject({ framesAllocated: 3, framesFreed: 1, framesInUse: 2, pageTableFrames: 1 });
    m.noteFreed(true, F1);
    expect(m.counters()).toMatchObject({ framesInUse: 1, pageTableFrames: 0 });
  });

  test("a TLB-miss store of 8 bytes costs two PTE reads and one access; a hit costs the access alone", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    let before = m.counters().cycles;
    m.store(VA, new Uint8Array(8));
    expect(m.counters().cycles - before).toBe(2 * COST.walk + COST.access);
    before = m.counters().cycles;
    m.store(VA + 8, new Uint8Array(8));
    expect(m.counters().cycles - before).toBe(COST.access);
  });

  test("an access costs one cycle per 8 bytes or part of 8", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    m.satp = SATP_A;
    m.store(VA, bytes(0));
    let before = m.counters().cycles;
    m.store(VA, new Uint8Array(9));
    expect(m.counters().cycles - before).toBe(2 * COST.access);
    before = m.counters().cycles;
    m.fill(VA, 1, PGSIZE);
    expect(m.counters().cycles - before).toBe(512 * COST.access);
  });

  test("a trap adds COST.trap, and the handler's own work and the retried walk are paid too", () => {
    const m = newMachine();
    m.write32(ROOT_A + PX(1, VA) * 4, PA2PTE(L0_A) | PTE_V);
    m.satp = SATP_A;
    install(m, () => {
      m.zeroFrame(F1);
      m.write32(pteAddr(L0_A, VA), PA2PTE(F1) | URW);
      return "resume";
    });
    const before = m.counters().cycles;
    m.store(VA, new Uint8Array(8));
    expect(m.counters().cycles - before).toBe(WALK + COST.trap + COST.frameZero + COST.kernelMem + WALK + COST.access);
  });

  test("a fault that kills costs the walk and the trap", () => {
    const m = newMachine();
    m.satp = SATP_A;
    install(m, () => "SIGSEGV");
    m.store(VA, new Uint8Array(8));
    // the walk stops at the invalid root entry: one PTE read, then the trap
    expect(m.counters().cycles).toBe(COST.walk + COST.trap);
  });

  test("the kernel's operations cost what cost.ts says and count what they do", () => {
    const m = newMachine();
    const steps: [string, () => void, number][] = [
      ["write32", () => m.write32(F1, 5), COST.kernelMem],
      ["read32", () => m.read32(F1), COST.kernelMem],
      ["copyFrame", () => m.copyFrame(F2, F1), COST.frameCopy],
      ["zeroFrame", () => m.zeroFrame(F2), COST.frameZero],
      ["junkFrame", () => m.junkFrame(F3), 0],
      ["sfence_vma", () => m.sfence_vma(null, null), COST.sfence],
      ["ecall", () => m.ecall(), COST.trap],
      ["writePhysical of 17 bytes", () => m.writePhysical(F3, new Uint8Array(17)), 3 * COST.access],
      ["peek32", () => m.peek32(F1), 0],
      ["peekPhysical", () => m.peekPhysical(F1, 8), 0],
    ];
    for (const [name, op, cost] of steps) {
      const before = m.counters().cycles;
      op();
      expect([name, m.counters().cycles - before]).toEqual([name, cost]);
    }
    expect(m.counters()).toMatchObject({ framesCopied: 1, framesZeroed: 1, tlbFlushes: 1 });
  });

  test("the kernel's view of memory: copies, zeroes and junk are real", () => {
    const m = newMachine();
    m.writePhysical(F1, bytes(1, 2, 3));
    m.copyFrame(F2, F1);
    expect(m.peekPhysical(F2, 3)).toEqual(bytes(1, 2, 3));
    m.zeroFrame(F1);
    expect(m.peekPhysical(F1, 3)).toEqual(bytes(0, 0, 0));
    m.junkFrame(F2);
    expect(m.peek32(F2)).toBe(0x6b6b6b6b);
    expect(m.peekMemory.read32(F2)).toBe(JUNK * 0x01010101);
    expect(m.peekMemory.contains(64 * PGSIZE)).toBe(false);
    expect(m.backedFrames).toBe(0);
  });

  test("a big machine costs no host memory until it is written", () => {
    const m = newMachine({ frames: 262144 });
    expect(m.backedFrames).toBe(0);
    m.write32(262143 * PGSIZE, 1);
    expect(m.backedFrames).toBe(1);
  });

  test("writing satp does not flush the TLB: switching back to an ASID still hits its entries", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    map(m, ROOT_B, L0_B, VA, F2, URW);
    m.satp = SATP_A;
    m.load(VA, 1);
    m.satp = SATP_B;
    m.load(VA, 1);
    m.satp = SATP_A;
    const before = m.counters().cycles;
    m.load(VA, 1);
    expect(m.counters().cycles - before).toBe(COST.access);
    expect(m.tlbEntries().map((e) => [e.asid, e.pte >>> 10])).toEqual([
      [1, F1 / PGSIZE],
      [2, F2 / PGSIZE],
    ]);
  });

  test("sfence_vma removes entries from the TLB by address and ASID", () => {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F1, URW);
    map(m, ROOT_A, L0_A, VA + PGSIZE, F2, URW);
    m.satp = SATP_A;
    m.load(VA, 1);
    m.load(VA + PGSIZE, 1);
    m.sfence_vma(VA, 1);
    expect(m.tlbEntries().map((e) => e.vpn)).toEqual([(VA + PGSIZE) >>> 12]);
    m.sfence_vma(null, 2);
    expect(m.tlbEntries()).toHaveLength(1);
    m.sfence_vma(null, 1);
    expect(m.tlbEntries()).toEqual([]);
  });

  test("satp and sstatus read back as unsigned 32-bit values", () => {
    const m = newMachine();
    m.satp = MAKE_SATP((2 ** 22 - 1) * PGSIZE, 511) | 0; // as a signed int
    expect(m.satp).toBe(0xffffffff);
    m.sstatus = -1;
    expect(m.sstatus).toBe(0xffffffff);
  });
});

describe("Machine: loads and stores", () => {
  // A with VA -> F2 and VA+4096 -> F1 (frames out of order on purpose),
  // and VA+8192 -> F3.
  function threePages(): Machine {
    const m = newMachine();
    map(m, ROOT_A, L0_A, VA, F2, URW);
    map(m, ROOT_A, L0_A, VA + PGSIZE, F1, URW);
    map(m, ROOT_A, L0_A, VA + 2 * PGSIZE, F3, URW);
    m.satp = SATP_A;
    install(m, () => "SIGSEGV");
    return m;
  }

  test("a store that crosses a page boundary splits at the boundary and lands in both frames", () => {
    const m = threePages();
    expect(m.store(VA + PGSIZE - 3, bytes(1, 2, 3, 4, 5, 6, 7, 8))).toBe("ok");
    expect(m.peekPhysical(F2 + PGSIZE - 3, 3)).toEqual(bytes(1, 2, 3));
    expect(m.peekPhysical(F1, 5)).toEqual(bytes(4, 5, 6, 7, 8));
    expect(m.load(VA + PGSIZE - 3, 8)).toEqual(bytes(1, 2, 3, 4, 5, 6, 7, 8));
  });

  test("a crossing access walks and pays once per page", () => {
    const m = threePages();
    const before = m.counters().cycles;
    m.store(VA + PGSIZE - 3, new Uint8Array(8));
    expect(m.counters().cycles - before).toBe(2 * WALK + 2 * COST.access);
  });

  test("fill() stores a value over three pages and nothing outside the range", () => {
    const m = threePages();
    expect(m.fill(VA + 100, 0xcc, 2 * PGSIZE)).toBe("ok");
    const all = m.load(VA, 3 * PGSIZE);
    if (!(all instanceof Uint8Array)) throw new Error(`load: ${all}`);
    expect(all[99]).toBe(0);
    expect(all.subarray(100, 100 + 2 * PGSIZE).every((b) => b === 0xcc)).toBe(true);
    expect(all[100 + 2 * PGSIZE]).toBe(0);
    expect(m.peekPhysical(F3 + 99, 2)).toEqual(bytes(0xcc, 0));
  });

  test("fill() of a whole page with 0 leaves the page reading zeros", () => {
    const m = threePages();
    m.fill(VA, 9, PGSIZE);
    m.fill(VA, 0, PGSIZE);
    expect(m.load(VA + 4000, 2)).toEqual(bytes(0, 0));
  });

  test("a load stops at the first page that cannot be resolved and reports the outcome", () => {
    const m = threePages();
    expect(m.load(VA + 3 * PGSIZE - 1, 2)).toBe("killed");
  });

  test("an access reaching past 2^32 throws a RangeError before touching anything", () => {
    const m = threePages();
    for (const attempt of [
      () => m.store(0xfffffffc, new Uint8Array(8)),
      () => m.load(0xffffffff, 2),
      () => m.fill(0xfffff000, 0, PGSIZE + 1),
      () => m.load(-1, 1),
    ]) {
      expect(thrown(attempt)).toBeInstanceOf(RangeError);
    }
    expect(thrown(() => m.store(0xfffffffc, new Uint8Array(8))).message).toBe(
      "Access of 8 bytes at 4294967292 leaves the 32-bit address space",
    );
    expect(m.counters().pageFaults).toBe(0);
  });

  test("the last bytes below 2^32 can be stored and loaded", () => {
    const m = threePages();
    map(m, ROOT_A, 0x5000, 0xfffff000, F3, URW);
    expect(m.store(0xfffffffc, bytes(1, 2, 3, 4))).toBe("ok");
    expect(m.load(0xfffffffc, 4)).toEqual(bytes(1, 2, 3, 4));
    expect(m.peekPhysical(F3 + 0xffc, 4)).toEqual(bytes(1, 2, 3, 4));
  });

  test("an access of 0 bytes touches nothing and takes no fault", () => {
    const m = newMachine();
    m.satp = SATP_A;
    expect(m.store(VA, new Uint8Array(0))).toBe("ok");
    expect(m.load(VA, 0)).toEqual(new Uint8Array(0));
    expect(m.counters().cycles).toBe(0);
  });

  test("in Bare mode (satp 0) addresses are physical and no walk is paid", () => {
    const m = newMachine();
    expect(m.store(F1 + 8, bytes(5, 6))).toBe("ok");
    expect(m.peekPhysical(F1 + 8, 2)).toEqual(bytes(5, 6));
    expect(m.counters().cycles).toBe(COST.access);
  });
});
