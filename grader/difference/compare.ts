// The first point where the student's kernel and the reference kernel
// differ in what the lab is about. Both runs were recorded at the same
// points (record.ts); at each, in order: what the edit point returned, the
// processes, reference counts against the PTEs that map each frame, each
// page (mapped, flags, copied or kept, who shares its frame, its bytes),
// stale TLB entries, page-table pages, and frames left allocated. A frame
// is known by its role (the pages that map it) and its contents; its
// physical address is compared only with the same kernel's previous
// checkpoint, to tell a copy from a page that kept its frame.

import type {
  Checkpoint,
  Difference,
  FrameRole,
  KernelState,
  PageRef,
  PageState,
  ProcessState,
  Where,
} from "./difference";

/** The first difference between `mine` and `reference`, recorded at the same points; null when they agree. */
export function firstDifference(mine: readonly Checkpoint[], reference: readonly Checkpoint[]): Difference | null {
  for (let k = 0; k < Math.max(mine.length, reference.length); k++) {
    const d = differenceAtIndex(mine, reference, k);
    if (d !== null) return d;
  }
  return null;
}

/**
 * How the two runs differ at their k-th checkpoints (the earlier ones
 * agreeing): a call the other run did not make (one run has no k-th), or
 * what differs there; null when they agree.
 */
export function differenceAtIndex(
  mine: readonly Checkpoint[],
  reference: readonly Checkpoint[],
  k: number,
): Difference | null {
  const m = mine[k];
  const r = reference[k];
  if (m === undefined || r === undefined || !sameWhere(m.where, r.where))
    return m === undefined && r === undefined
      ? null
      : { kind: "call", at: m?.where ?? null, expected: r?.where ?? null };
  return differenceAt(m, r, mine[k - 1] ?? null, reference[k - 1] ?? null);
}

/**
 * Whether two checkpoints were taken at the same point of the run. A call's
 * step is not compared: it is known only once the step ends, and the steps'
 * own checkpoints are.
 */
export function sameWhere(a: Where, b: Where): boolean {
  if (a.kind === "call" && b.kind === "call")
    return a.fn === b.fn && a.va === b.va && a.process?.pid === b.process?.pid;
  if (a.kind === "step" && b.kind === "step") return a.step.path === b.step.path;
  return a.kind === b.kind;
}

/** The first difference between two checkpoints taken at the same point, or null. */
export function differenceAt(
  m: Checkpoint,
  r: Checkpoint,
  mPrev: Checkpoint | null,
  rPrev: Checkpoint | null,
): Difference | null {
  const at = m.where;
  if (at.kind === "call" && r.where.kind === "call" && at.result !== r.where.result)
    return {
      kind: "returned",
      at,
      expected: r.where.result,
      actual: at.result,
      freeFrames: m.state.freeFrames,
      referencePa: movedTo(r.state, rPrev?.state ?? null, at),
    };
  return (
    processDifference(at, m.state, r.state) ??
    countDifference(at, m.state, r.state, mPrev?.state ?? null) ??
    pageDifference(at, m.state, r.state, { mine: mPrev?.state ?? null, reference: rPrev?.state ?? null }) ??
    staleDifference(at, m.state, r.state) ??
    tableDifference(at, m.state, r.state) ??
    leakDifference(at, m.state, r.state, mPrev?.state ?? null)
  );
}

function processDifference(at: Where, m: KernelState, r: KernelState): Difference | null {
  for (const pid of pids(m, r)) {
    const a = processOf(m, pid);
    const b = processOf(r, pid);
    const actual = a?.state ?? "absent";
    const expected = b?.state ?? "absent";
    if (actual !== expected) return { kind: "process-state", at, process: (a ?? b)!.process, expected, actual };
  }
  return null;
}

/**
 * A page whose frame's reference count is off from the number of PTEs that
 * map it by another amount than on the reference (a count the kernel got
 * wrong, not one that follows from other mappings).
 */
function countDifference(at: Where, m: KernelState, r: KernelState, mPrev: KernelState | null): Difference | null {
  for (const { page, a, b } of pairs(m, r)) {
    if (a.ref - a.mappers.length === b.ref - b.mappers.length) continue;
    if (a.ref === 0) return { kind: "freed-while-mapped", at, page, expected: b.ref };
    return {
      kind: "refcount",
      at,
      page,
      expected: b.ref,
      actual: a.ref,
      mappers: a.mappers.length,
      leftBy: leftBy(a, m, mPrev),
    };
  }
  return null;
}

/** A page that mapped `page`'s frame at the previous checkpoint and maps another frame now (a copy's writer). */
function leftBy(page: PageState, now: KernelState, prev: KernelState | null): PageRef | null {
  if (prev === null) return null;
  for (const p of prev.processes)
    for (const q of p.pages) {
      if (q.pa !== page.pa) continue;
      const later = pageAt(now, p.process.pid, q.va);
      if (later !== undefined && later.pa !== page.pa) return { process: p.process, va: q.va };
    }
  return null;
}

interface Previous {
  readonly mine: KernelState | null;
  readonly reference: KernelState | null;
}

function pageDifference(at: Where, m: KernelState, r: KernelState, prev: Previous): Difference | null {
  for (const pid of pids(m, r)) {
    const mp = processOf(m, pid)!;
    const rp = processOf(r, pid)!;
    const vas = [...new Set([...mp.pages, ...rp.pages].map((p) => p.va))].sort((x, y) => x - y);
    for (const va of vas) {
      const d = onePage(at, { process: mp.process, va }, pageIn(mp, va), pageIn(rp, va), prev);
      if (d !== null) return d;
    }
  }
  return null;
}

function onePage(
  at: Where,
  page: PageRef,
  a: PageState | undefined,
  b: PageState | undefined,
  prev: Previous,
): Difference | null {
  if (a === undefined || b === undefined)
    return { kind: "mapping", at, page, expected: b?.flags ?? null, actual: a?.flags ?? null };
  if (a.flags !== b.flags) return { kind: "pte-flags", at, page, expected: b.flags, actual: a.flags };
  const aMoved = moved(a, prev.mine, page);
  const bMoved = moved(b, prev.reference, page);
  if (aMoved && !bMoved) return { kind: "copied-instead-of-reused", at, page, flags: a.flags };
  if (!aMoved && bMoved) return { kind: "reused-instead-of-copied", at, page, flags: a.flags };
  const others = (p: PageState) => p.mappers.filter((x) => x.process.pid !== page.process.pid || x.va !== page.va);
  if (key(others(a)) !== key(others(b))) return { kind: "sharing", at, page, expected: others(b), actual: others(a) };
  if (a.contents !== b.contents) return { kind: "contents", at, page };
  return null;
}

/** Whether `page` maps another frame than it did at the previous checkpoint (it existed then too). */
function moved(p: PageState, prev: KernelState | null, page: PageRef): boolean {
  const before = prev === null ? undefined : pageAt(prev, page.process.pid, page.va);
  return before !== undefined && before.pa !== p.pa;
}

/** Where the call at `at` moved its page to, on the reference: its new frame's address, or null. */
function movedTo(now: KernelState, prev: KernelState | null, at: Where): number | null {
  if (at.kind !== "call" || at.process === null || at.va === null || prev === null) return null;
  const after = pageAt(now, at.process.pid, at.va);
  const before = pageAt(prev, at.process.pid, at.va);
  return after !== undefined && before !== undefined && after.pa !== before.pa ? after.pa : null;
}

function staleDifference(at: Where, m: KernelState, r: KernelState): Difference | null {
  for (const pid of pids(m, r)) {
    const mp = processOf(m, pid)!;
    const theirs = new Set(processOf(r, pid)!.stale.map((s) => JSON.stringify(s)));
    const s = mp.stale.find((e) => !theirs.has(JSON.stringify(e)));
    if (s !== undefined)
      return { kind: "stale-tlb", at, page: { process: mp.process, va: s.va }, cached: s.cached, current: s.current };
  }
  return null;
}

function tableDifference(at: Where, m: KernelState, r: KernelState): Difference | null {
  for (const pid of pids(m, r)) {
    const a = processOf(m, pid)!;
    const b = processOf(r, pid)!;
    if (a.tables.length !== b.tables.length)
      return { kind: "page-tables", at, process: a.process, expected: b.tables.length, actual: a.tables.length };
  }
  return null;
}

function leakDifference(at: Where, m: KernelState, r: KernelState, mPrev: KernelState | null): Difference | null {
  const count = (s: KernelState, table: boolean) => s.leaked.filter((l) => l.pageTable === table).length;
  const frames = Math.max(0, count(m, false) - count(r, false));
  const pageTables = Math.max(0, count(m, true) - count(r, true));
  if (frames === 0 && pageTables === 0) return null;
  const first = m.leaked.find((l) => !l.pageTable) ?? m.leaked[0]!;
  return { kind: "frame-not-freed", at, frames, pageTables, formerly: roleOf(first.pa, mPrev) };
}

/** What the frame at `pa` was at the previous checkpoint of the same kernel: a page, or a page-table page. */
function roleOf(pa: number, prev: KernelState | null): FrameRole | null {
  for (const p of prev?.processes ?? []) {
    const page = p.pages.find((x) => x.pa === pa);
    if (page !== undefined) return { process: p.process, role: "page", va: page.va };
    const table = p.tables.find((t) => t.pa === pa);
    if (table !== undefined)
      return { process: p.process, role: table.va === null ? "root table" : "level-0 table", va: table.va ?? 0 };
  }
  return null;
}

// --- matching ------------------------------------------------------------------

/** Every pid of either state, lowest first. */
function pids(m: KernelState, r: KernelState): number[] {
  return [...new Set([...m.processes, ...r.processes].map((p) => p.process.pid))].sort((a, b) => a - b);
}

function processOf(s: KernelState, pid: number): ProcessState | undefined {
  return s.processes.find((p) => p.process.pid === pid);
}

const indexes = new WeakMap<ProcessState, Map<number, PageState>>();

function pageIn(p: ProcessState, va: number): PageState | undefined {
  let index = indexes.get(p);
  if (index === undefined) {
    index = new Map(p.pages.map((x) => [x.va, x]));
    indexes.set(p, index);
  }
  return index.get(va);
}

function pageAt(s: KernelState, pid: number, va: number): PageState | undefined {
  const p = processOf(s, pid);
  return p === undefined ? undefined : pageIn(p, va);
}

/** The pages present in both states (mine `a`, the reference's `b`), by process and va. */
function pairs(m: KernelState, r: KernelState): { page: PageRef; a: PageState; b: PageState }[] {
  const out: { page: PageRef; a: PageState; b: PageState }[] = [];
  for (const mp of m.processes)
    for (const a of mp.pages) {
      const b = pageAt(r, mp.process.pid, a.va);
      if (b !== undefined) out.push({ page: { process: mp.process, va: a.va }, a, b });
    }
  return out;
}

function key(pages: readonly PageRef[]): string {
  return pages.map((p) => `${p.process.pid}:${p.va}`).join(",");
}
