// Jest matchers that check a COW kernel's state and, when it is wrong, say
// which function to look at, what your kernel did and what it should have
// done, with the values: frames, reference counts, PTE flags by name
// (rw- u COW), addresses in hex.

import type { Counters } from "../../src/hw/machine";
import { PGSIZE, PTE2PA, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../../src/hw/riscv";
import { Proc, allprocs, audit, krefcnt, mappings } from "../../src/kernel/index";
import { Change, FaultEvent, Store, frameOf, hex, load, machine, pteOf, refsAt } from "./harness";

type Result = { pass: boolean; message: () => string };
type Pair = { parent: Proc; child: Proc };

/** PTE flags by name: "rw- u COW", "r-x u", or "not mapped". */
export function flags(pte: number | null): string {
  if (pte === null || !(pte & PTE_V)) return "not mapped";
  const rwx = (pte & PTE_R ? "r" : "-") + (pte & PTE_W ? "w" : "-") + (pte & PTE_X ? "x" : "-");
  return `${rwx}${pte & PTE_U ? " u" : ""}${pte & PTE_COW ? " COW" : ""}`;
}

function at(va: number): string {
  return `0x${hex(va)}`;
}

// "frame 7 (rw- u, 2 references)"
function frameText(p: Proc, va: number): string {
  const frame = frameOf(p, va);
  if (frame === null) return "nothing";
  return `frame ${frame} (${flags(pteOf(p, va))}, ${refsAt(p, va)} reference${refsAt(p, va) === 1 ? "" : "s"})`;
}

const FRAME_ZERO = " Frame 0 is a frame like any other: its physical address is 0, and only null means no frame.";

/** expect({ parent, child }).toMapTheSamePages(): every page of the parent, in the child, to the same frame. */
function toMapTheSamePages({ parent, child }: Pair): Result {
  const pages = (p: Proc): number[] => (p.pagetable === null ? [] : mappings(p.pagetable).map((m) => m.va));
  const theirs = new Set(pages(child));
  const missing = pages(parent).filter((va) => !theirs.has(va));
  if (missing.length > 0) {
    const zero = missing.some((va) => frameOf(parent, va) === 0) ? FRAME_ZERO : "";
    return fail(
      `uvmcopy(): after fork the child maps nothing at ${list(missing.map(at))}, which the parent maps ` +
        `(${list(missing.map((va) => `frame ${frameOf(parent, va)}`))}). Map every page mappedPages(parent) lists.${zero}`,
    );
  }
  const extra = pages(child).filter((va) => frameOf(parent, va) === null);
  if (extra.length > 0)
    return fail(`uvmcopy(): after fork the child maps ${list(extra.map(at))}, which the parent does not map.`);
  for (const va of pages(parent)) {
    if (frameOf(child, va) !== frameOf(parent, va)) {
      return fail(
        `uvmcopy(): after fork the parent maps ${at(va)} to frame ${frameOf(parent, va)} and the child to frame ` +
          `${frameOf(child, va)}: fork copied the page. The child's PTE must point at the parent's frame; ` +
          `nothing is copied until someone writes.`,
      );
    }
  }
  return pass(`the child maps the parent's ${pages(parent).length} pages to the same frames`);
}

/** expect({ parent, child }).toShareCopyOnWrite(va): same frame, read-only and COW on both sides. */
function toShareCopyOnWrite(pair: Pair, va: number): Result {
  const { parent, child } = pair;
  const fp = frameOf(parent, va);
  const fc = frameOf(child, va);
  if (fc === null) {
    const zero = fp === 0 ? FRAME_ZERO : "";
    return fail(
      `uvmcopy(): after fork the child maps nothing at ${at(va)}, which the parent maps to frame ${fp}: ` +
        `map every page the parent maps.${zero}`,
    );
  }
  if (fp !== fc) {
    return fail(
      `uvmcopy(): after fork the parent maps ${at(va)} to frame ${fp} and the child to frame ${fc}: fork copied ` +
        `the page. With copy-on-write the child's PTE points at the parent's frame.`,
    );
  }
  for (const [role, p, other] of [
    ["parent", parent, "child"],
    ["child", child, "parent"],
  ] as const) {
    const pte = pteOf(p, va);
    if (pte & PTE_W) {
      return fail(
        `uvmcopy(): after fork the ${role}'s PTE (pid ${p.pid}) for ${at(va)} is ${flags(pte)}, still writable, and the ${other} ` +
          `maps the same frame ${fp}: a store by the ${role} would change the ${other}'s memory. ` +
          `Clear PTE_W and set PTE_COW in both page tables.`,
      );
    }
    if (!(pte & PTE_COW)) {
      return fail(
        `uvmcopy(): after fork the ${role}'s PTE (pid ${p.pid}) for ${at(va)} is ${flags(pte)}, not COW: the ${role}'s first ` +
          `store will be taken for a real protection fault and kill it. A page that was writable, or already COW ` +
          `from an earlier fork, must be COW in both page tables: set PTE_COW where you clear PTE_W, and keep it where it is set.`,
      );
    }
  }
  return pass(`parent and child share frame ${fp} at ${at(va)}, r-- u COW`);
}

/** expect({ parent, child }).toShareReadOnly(va): same frame, not writable, not COW (text). */
function toShareReadOnly({ parent, child }: Pair, va: number): Result {
  const fp = frameOf(parent, va);
  const fc = frameOf(child, va);
  if (fc === null || fp !== fc) {
    return fail(
      `uvmcopy(): after fork the read-only page ${at(va)} is frame ${fp} in the parent and ` +
        `${fc === null ? "not mapped" : `frame ${fc}`} in the child: share it, as every other page.`,
    );
  }
  for (const [role, p] of [
    ["parent", parent],
    ["child", child],
  ] as const) {
    const pte = pteOf(p, va);
    if (pte & PTE_COW) {
      return fail(
        `uvmcopy(): after fork the ${role}'s PTE (pid ${p.pid}) for the read-only page ${at(va)} is ${flags(pte)}: text became COW. ` +
          `Only pages that were writable (PTE_W) become COW; a store to text must stay a real protection fault ` +
          `that kills the process, not get a writable copy.`,
      );
    }
    if (pte & PTE_W)
      return fail(
        `uvmcopy(): after fork the read-only page ${at(va)} is ${flags(pte)} in the ${role}: it became writable.`,
      );
  }
  return pass(`frame ${fp} at ${at(va)} is shared read-only and not COW`);
}

/** expect(p).toHaveRefCount(va, n): the frame p maps at va has n references. */
function toHaveRefCount(p: Proc, va: number, n: number): Result {
  const refs = refsAt(p, va);
  const frame = frameOf(p, va);
  if (refs === n) return pass(`frame ${frame} at ${at(va)} has ${n} references`);
  const head = `frame ${frame}, which pid ${p.pid} maps at ${at(va)}, has reference count ${refs}; it should be ${n}`;
  return fail(`${head}. ${frame === null ? "" : refsAdvice(frame)}`);
}

// Who maps `frame`, and what its reference count says went wrong.
function refsAdvice(frame: number): string {
  const mappers = mappersOf(frame);
  const refs = krefcnt(frame * PGSIZE);
  const who = `${mappers.length} PTE${mappers.length === 1 ? " maps" : "s map"} it (${list(mappers)})`;
  if (refs === 0)
    return `It is free, yet ${who}: it was freed while still mapped. A frame needs one reference per mapping: uvmcopy() adds one per page it maps in the child (krefinc), and tearing down an address space drops only its own (uvmfree(): kfree through uvmunmap(pagetable, va, 1, true)).`;
  if (refs < mappers.length)
    return `${who}, one reference each: uvmcopy() must add one (krefinc) for each page it maps in the child.`;
  if (refs > mappers.length)
    return `Only ${who}: a mapping went away without dropping its reference. After a copy, cowfault() drops the old frame's with kfree(pa); uvmfree() drops each of its mappings'.`;
  return `${who}.`;
}

// "pid 1 at 0x00015000", one per PTE of a live process that maps `frame`.
function mappersOf(frame: number): string[] {
  const out: string[] = [];
  for (const q of allprocs()) {
    if (q.pagetable === null) continue;
    for (const m of mappings(q.pagetable))
      if (PTE2PA(m.pte) === frame * PGSIZE) out.push(`pid ${q.pid} at ${at(m.va)}`);
  }
  return out;
}

/** expect(p).toBeWritable(va): after a write fault, a private, writable page that is no longer COW. */
function toBeWritable(p: Proc, va: number): Result {
  const pte = pteOf(p, va);
  if (pte & PTE_V && pte & PTE_W && !(pte & PTE_COW)) return pass(`pid ${p.pid}'s page ${at(va)} is writable`);
  if (!(pte & PTE_V)) return fail(`cowfault(): after the write fault pid ${p.pid} maps nothing at ${at(va)}.`);
  if (pte & PTE_COW && pte & PTE_W) {
    return fail(
      `cowfault(): after the write fault pid ${p.pid}'s PTE for ${at(va)} is ${flags(pte)}, writable and still ` +
        `COW. Clear PTE_COW when you set PTE_W.`,
    );
  }
  return fail(
    `cowfault(): after the write fault pid ${p.pid}'s PTE for ${at(va)} is ${flags(pte)}; it should be writable ` +
      `and not COW (${flags((pte | PTE_W) & ~PTE_COW)}).`,
  );
}

/** expect(p).toRead(va, bytes): p loads `bytes` at va. */
function toRead(p: Proc, va: number, expected: number[]): Result {
  const got = load(p, va, expected.length);
  const bytes = (xs: number[]): string => xs.map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
  if (got.every((b, i) => b === expected[i])) return pass(`pid ${p.pid} reads ${bytes(got)} at ${at(va)}`);
  const head = `pid ${p.pid} reads ${bytes(got)} at ${at(va)}; it should read ${bytes(expected)}. Its page there is ${frameText(p, va)}.`;
  const frame = frameOf(p, va);
  return fail(frame === null ? head : `${head} ${whyOtherBytes(p, va, frame)}`);
}

// Why p's frame holds other bytes than it should: freed, or written through another process's mapping.
function whyOtherBytes(p: Proc, va: number, frame: number): string {
  if (krefcnt(frame * PGSIZE) === 0) return `0x6b is the junk a freed frame is filled with. ${refsAdvice(frame)}`;
  const sharers = allprocs().filter((q) => q !== p && q.pagetable !== null && frameOf(q, va) === frame);
  if (sharers.length === 0) return "";
  const refs = krefcnt(frame * PGSIZE);
  const mappers = mappersOf(frame).length;
  if (refs < mappers) {
    return (
      `It shares frame ${frame} with pid ${list(sharers.map((q) => String(q.pid)))}, but the frame's reference count ` +
      `is ${refs} for ${mappers} PTEs: a write fault took the writer for the last sharer and reused the frame ` +
      `instead of copying it. uvmcopy() must add one reference (krefinc) for each page it maps in the child.`
    );
  }
  const writable = [p, ...sharers].filter((q) => pteOf(q, va) & PTE_W);
  const with_ = `It shares the frame with pid ${list(sharers.map((q) => String(q.pid)))}, and a store by one reached the other`;
  if (writable.length > 0) {
    const w = writable[0]!;
    return `${with_}: pid ${w.pid}'s PTE is ${flags(pteOf(w, va))}, writable though shared. uvmcopy() must clear PTE_W (and set PTE_COW) in both page tables.`;
  }
  return (
    `${with_}, though every PTE that maps it is read-only: the store went through an old writable translation ` +
    `in the TLB. uvmcopy() must fence the parent's ASID (sfence_vma(null, parentAsid)) after changing its PTEs.`
  );
}

/** expect(p).toMapFrame(va, frame, why): p maps va to that frame. */
function toMapFrame(p: Proc, va: number, frame: number, why: string): Result {
  const now = frameOf(p, va);
  if (now === frame) return pass(`pid ${p.pid} maps ${at(va)} to frame ${frame}`);
  return fail(
    `${why}: pid ${p.pid} maps ${at(va)} to ${now === null ? "nothing" : `frame ${now}`}, not frame ${frame}.`,
  );
}

/**
 * expect(p).toHaveCopied(va, oldPa): after p's write fault on a COW page
 * whose frame (at oldPa) had 2 references, p maps a new frame, and the old
 * one kept only the other sharer's reference.
 */
function toHaveCopied(p: Proc, va: number, oldPa: number): Result {
  const old = oldPa / PGSIZE;
  const refs = krefcnt(oldPa);
  if (frameOf(p, va) === old) {
    return fail(
      `cowfault(): frame ${old} had 2 references when pid ${p.pid} wrote ${at(va)}, and pid ${p.pid} still maps it ` +
        `(${flags(pteOf(p, va))}): with another sharer, copy the page into a new frame (kalloc(), memmove()) ` +
        `and point the PTE at the copy, so the other sharer's memory stays as it was.`,
    );
  }
  if (refs !== 1) {
    const what = refs > 1 ? "this mapping's reference was never dropped: the frame leaks" : "it was freed";
    return fail(
      `cowfault(): after copying frame ${old} into frame ${frameOf(p, va)}, the old frame has ${refs} ` +
        `reference${refs === 1 ? "" : "s"}; it should keep 1, the other sharer's (${what}). ` +
        `Drop this mapping's reference with kfree(pa) once the PTE points at the copy.`,
    );
  }
  return pass(`pid ${p.pid} copied frame ${old} into frame ${frameOf(p, va)}`);
}

/** expect(store(...)).toComplete(): the store completed, whatever faults it took. */
function toComplete(s: Store): Result {
  if (s.result === "ok") return pass(`pid ${s.proc.pid}'s store at ${at(s.va)} completed`);
  return fail(`pid ${s.proc.pid} ${storeText(s)} and was killed by ${s.proc.killedBy ?? s.result}: ${whyKilled(s)}`);
}

/** expect(store(...)).toBeKilledBy(signal): the store killed the process with that signal. */
function toBeKilledBy(s: Store, signal: "SIGSEGV" | "SIGKILL"): Result {
  if (s.result === "killed" && s.proc.killedBy === signal) return pass(`pid ${s.proc.pid} was killed by ${signal}`);
  const first = s.faults[0];
  const was = first === undefined ? flags(s.pteBefore) : flags(first.pteBefore);
  if (s.result === "ok") {
    const how =
      first === undefined
        ? `without a fault: its PTE was ${was}, writable`
        : `after a fault on a PTE that was ${was}, which the kernel resolved (${resolutionText(first)})`;
    const cow =
      s.pteBefore & PTE_COW && !(s.pteBefore & PTE_W)
        ? " A read-only page that was never writable must not be COW (uvmcopy())."
        : "";
    return fail(
      `pid ${s.proc.pid} ${storeText(s)} and it completed ${how}. It should have been killed by ${signal}.${cow}`,
    );
  }
  return fail(
    `pid ${s.proc.pid} ${storeText(s)} and was killed by ${s.proc.killedBy}, not by ${signal}: ${whyKilled(s)}`,
  );
}

function storeText(s: Store): string {
  return `stored ${s.length} byte${s.length === 1 ? "" : "s"} at ${at(s.va)}`;
}

// Why a store killed its process, from the faults it took (the last one killed it).
function whyKilled(s: Store): string {
  const last = s.faults[s.faults.length - 1];
  if (last === undefined) return "it took no page fault (the kernel killed it some other way).";
  const page = at(last.va & ~(PGSIZE - 1));
  const before = flags(last.pteBefore);
  if (last.resolution === "SIGKILL") {
    const zero =
      s.freeBefore > 0
        ? ` There were ${s.freeBefore} free frames.${FRAME_ZERO} Test kalloc()'s answer with === null.`
        : "";
    return `cowfault() returned "out-of-memory" for the COW page ${page} (${before}).${zero}`;
  }
  const earlier = s.faults.length > 1 ? s.faults[s.faults.length - 2]! : null;
  if (earlier !== null && earlier.resolution !== "SIGSEGV" && last.pteBefore !== null && last.pteBefore & PTE_W) {
    return (
      `the first fault on ${page} was resolved (${resolutionText(earlier)}) and its PTE is now ${before}, ` +
      `but the retried store faulted again: the TLB still held the old read-only translation. ` +
      `cowfault() must fence the page after changing its PTE: sfence_vma(page, asid), on both paths (copy and reuse).`
    );
  }
  if (last.pteBefore === null || !(last.pteBefore & PTE_V)) return `nothing was mapped at ${page}.`;
  if (last.pteBefore & PTE_COW)
    return `its PTE for ${page} was ${before}, a COW page, and cowfault() returned "not-cow" for it.`;
  return (
    `its PTE for ${page} was ${before}: read-only and not COW, so the store was a real protection fault. ` +
    `If the page was writable before fork, uvmcopy() must mark it COW where it clears PTE_W.`
  );
}

function resolutionText(f: FaultEvent): string {
  if (f.resolution === "cow-copy") return `a copy into frame ${f.frameAfter}`;
  if (f.resolution === "cow-reuse") return `frame ${f.frameAfter} reused`;
  return String(f.resolution);
}

const NO_FAULT =
  "The write took no COW fault at all: the page was writable, in its PTE or in an old translation the TLB kept. " +
  "uvmcopy() must make the parent's writable PTEs read-only and COW, and fence its ASID (sfence_vma(null, parentAsid)).";

/**
 * expect(during(...)).toCount({ counter: n }, what, advice): the counters
 * changed by exactly these amounts during `what` ("During fork");
 * `advice` says what the kernel should have done.
 */
function toCount(change: Change<unknown>, expected: Partial<Counters>, what: string, advice: string): Result {
  const wrong = (Object.keys(expected) as (keyof Counters)[]).filter((k) => change.counters[k] !== expected[k]);
  if (wrong.length === 0) return pass(`${what}, the counters changed as they should`);
  const said = wrong.map((k) => `${k} went up by ${change.counters[k]} (it should go up by ${expected[k]})`);
  const noFault = wrong.includes("cowFaults") && change.counters.cowFaults === 0;
  return fail(`${what}, ${list(said)}. ${noFault ? NO_FAULT : advice}`);
}

/** expect(machine.counters()).toHold({ counter: n }, when, advice): the counters are these `when` ("After exit"). */
function toHold(counters: Counters, expected: Partial<Counters>, when: string, advice: string): Result {
  const wrong = (Object.keys(expected) as (keyof Counters)[]).filter((k) => counters[k] !== expected[k]);
  if (wrong.length === 0) return pass(`${when}, the counters are as they should be`);
  return fail(`${when}, ${list(wrong.map((k) => `${k} is ${counters[k]} (it should be ${expected[k]})`))}. ${advice}`);
}

/** expect(exec(...)).toReturn(value, call): the kernel call `call` ("exec(pid 2, init)") returned `value`. */
function toReturn(actual: unknown, expected: unknown, call: string): Result {
  const show = (v: unknown): string => (typeof v === "object" && v !== null && "pid" in v ? `pid ${v.pid}` : String(v));
  if (actual === expected) return pass(`${call} returned ${show(expected)}`);
  return fail(`${call} returned ${show(actual)}; it should return ${show(expected)}.`);
}

/** expect(p).toHaveNoWritableTranslation(va): the TLB holds no writable entry of p's for va. */
function toHaveNoWritableTranslation(p: Proc, va: number): Result {
  const stale = machine.tlbEntries().find((e) => e.asid === p.asid && e.vpn === va / PGSIZE && e.pte & PTE_W);
  if (stale === undefined) return pass(`the TLB holds no writable translation of ${at(va)} for pid ${p.pid}`);
  return fail(
    `uvmcopy(): after fork the TLB still holds pid ${p.pid}'s old translation of ${at(va)} (ASID ${p.asid}, ` +
      `${flags(stale.pte)}), though its PTE is now ${flags(pteOf(p, va))}: the parent's next store would skip ` +
      `the fault and change the frame it shares with the child. Call sfence_vma(null, parentAsid) once the ` +
      `parent's PTEs are changed.`,
  );
}

/**
 * expect({ parent, child, result }).toUndoTheCopy(): uvmcopy(parent, child)
 * ran out of frames for the child's page tables and returned `result`; it
 * should be -1, with nothing left mapped in the child and every frame back
 * to the parent's one reference.
 */
function toUndoTheCopy({ parent, child, result }: { parent: Proc; child: number; result: number }): Result {
  const left = mappings(child);
  const pages = parent.pagetable === null ? [] : mappings(parent.pagetable).map((m) => m.va);
  const stillMapped = new Set(left.map((m) => m.va));
  const extra = pages.filter((va) => refsAt(parent, va) !== 1 + (stillMapped.has(va) ? 1 : 0));
  const undone = left.length === 0 && extra.length === 0;
  if (result === -1 && undone) return pass("uvmcopy() returned -1 and undid its work");
  const said: string[] = [];
  if (result !== -1) said.push(`It returned ${result}; it must return -1 when mappages() fails.`);
  if (left.length > 0) {
    said.push(
      `It left ${left.length} page${left.length === 1 ? "" : "s"} mapped in the child (${list(left.map((m) => at(m.va)))}): ` +
        `before returning -1, unmap each page you mapped there with uvmunmap(child, va, 1, true).`,
    );
  }
  const refsText = (vas: number[]): string =>
    list(vas.map((va) => `frame ${frameOf(parent, va)} at ${at(va)} has ${refsAt(parent, va)}`));
  const over = extra.filter((va) => refsAt(parent, va)! > 1);
  const under = extra.filter((va) => refsAt(parent, va)! < 1);
  if (over.length > 0)
    said.push(
      `Of the parent's frames, ${refsText(over)} references though only the parent maps it: ` +
        `count a new reference (krefinc) only once mappages() has succeeded.`,
    );
  if (under.length > 0)
    said.push(
      `Of the parent's frames, ${refsText(under)} references though the parent maps it: the undo dropped ` +
        `references uvmcopy() never added (krefinc for each page mapped in the child).`,
    );
  return fail(`uvmcopy() ran out of frames for the child's page tables (mappages() returned -1). ${said.join(" ")}`);
}

/** The audit's problems shown: the first few tell the story, and the page stays readable. */
const AUDIT_SHOWN = 5;

const AUDIT_LEGEND =
  "Who keeps what: uvmcopy() adds a reference per page it maps in the child and leaves no shared page writable; " +
  "cowfault() drops the old frame's reference after a copy and clears PTE_COW where it sets PTE_W; uvmfree() drops " +
  "each mapping's reference and frees the page-table pages.";

/** expect("kernel").toLeakNothing(): the audit finds no broken invariant. */
function toLeakNothing(_kernel: unknown): Result {
  const problems = audit();
  if (problems.length === 0) return pass("the audit found nothing wrong");
  const shown = problems.slice(0, AUDIT_SHOWN).map((p) => (p.endsWith(".") ? p : `${p}.`));
  const more = problems.length - shown.length;
  const sentences = more > 0 ? [...shown, `and ${more} more like these.`] : shown;
  return fail(`The kernel's memory bookkeeping is wrong:\n  - ${sentences.join("\n  - ")}\n${AUDIT_LEGEND}`);
}

/** "a", "a and b", "a, b and c". */
export function list(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

function pass(message: string): Result {
  return { pass: true, message: () => `expected not: ${message}` };
}

function fail(message: string): Result {
  return { pass: false, message: () => message };
}

export const cowMatchers = {
  toMapTheSamePages,
  toShareCopyOnWrite,
  toShareReadOnly,
  toHaveRefCount,
  toBeWritable,
  toRead,
  toMapFrame,
  toHaveCopied,
  toComplete,
  toBeKilledBy,
  toCount,
  toHold,
  toReturn,
  toHaveNoWritableTranslation,
  toUndoTheCopy,
  toLeakNothing,
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** expect({ parent, child }).toMapTheSamePages() */
      toMapTheSamePages(): R;
      /** expect({ parent, child }).toShareCopyOnWrite(va) */
      toShareCopyOnWrite(va: number): R;
      /** expect({ parent, child }).toShareReadOnly(va) */
      toShareReadOnly(va: number): R;
      /** expect(proc).toHaveRefCount(va, n) */
      toHaveRefCount(va: number, n: number): R;
      /** expect(proc).toBeWritable(va) */
      toBeWritable(va: number): R;
      /** expect(proc).toRead(va, bytes) */
      toRead(va: number, bytes: number[]): R;
      /** expect(proc).toMapFrame(va, frame, why) */
      toMapFrame(va: number, frame: number, why: string): R;
      /** expect(proc).toHaveCopied(va, oldPa) */
      toHaveCopied(va: number, oldPa: number): R;
      /** expect(store(...)).toComplete() */
      toComplete(): R;
      /** expect(store(...)).toBeKilledBy(signal) */
      toBeKilledBy(signal: "SIGSEGV" | "SIGKILL"): R;
      /** expect(during(...)).toCount({ counter: n }, what, advice) */
      toCount(expected: Partial<Counters>, what: string, advice: string): R;
      /** expect(machine.counters()).toHold({ counter: n }, when, advice) */
      toHold(expected: Partial<Counters>, when: string, advice: string): R;
      /** expect(result).toReturn(value, call) */
      toReturn(expected: unknown, call: string): R;
      /** expect(proc).toHaveNoWritableTranslation(va) */
      toHaveNoWritableTranslation(va: number): R;
      /** expect({ parent, child, result }).toUndoTheCopy() */
      toUndoTheCopy(): R;
      /** expect("kernel").toLeakNothing() */
      toLeakNothing(): R;
    }
  }
}
