// `oslab trace FILE`: runs a scenario and prints, step by step, what the
// kernel did (faults and how they were resolved, forks, exits, fences) and
// each process's page table afterwards, with the frames' reference counts.
// With `--html OUT` it writes the same as a page to step through instead
// (trace-viewer.ts).

import { writeFileSync } from "node:fs";
import type { Argv } from "yargs";
import { hex8 } from "../hw/_format";
import { PTE_A, PTE_COW, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../hw/riscv";
import { TraceEvent } from "../kernel/index";
import { ScenarioError, loadScenario } from "../scenario/parse";
import { ExpectOutcome, FailedStep, boundText } from "../scenario/run";
import { stepName } from "../scenario/steps";
import { PteRun, StepView, Timeline, TlbView, buildTimeline } from "../scenario/timeline";
import { Scenario } from "../scenario/types";
import { CounterChange, PageChanges, counterChanges, pageChanges, tlbChanges } from "./trace-changes";
import { traceViewerPage } from "./trace-viewer";

export interface TraceArgs {
  file: string;
  html?: string;
}

export const command = "trace <file>";
export const describeTrace = "Run a scenario step by step, showing page tables, reference counts and faults";

export function builder(y: Argv): Argv<TraceArgs> {
  return y
    .positional("file", {
      type: "string",
      demandOption: true,
      describe: "scenario JSON file",
    })
    .option("html", {
      type: "string",
      requiresArg: true,
      describe: "write a web page that steps through the trace to this file, instead of printing it",
    }) as unknown as Argv<TraceArgs>;
}

/** Runs the command; returns the exit status (as `oslab run`). */
export function traceCommand(args: TraceArgs, out: (s: string) => void = console.log): number {
  let timeline: Timeline;
  let scenario: Scenario;
  try {
    scenario = loadScenario(args.file);
    timeline = buildTimeline(scenario);
  } catch (e) {
    if (e instanceof ScenarioError) {
      out(e.where === "" ? e.message : `${args.file}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (args.html !== undefined) {
    const page = traceViewerPage(timeline, { title: scenario.name, description: scenario.description });
    try {
      writeFileSync(args.html, page);
    } catch (e) {
      out(`Cannot write the trace page "${args.html}": ${(e as Error).message}`);
      return 2;
    }
    out(`Wrote ${args.html}: ${timeline.steps.length - 1} steps. Open it in a browser and step with the arrow keys.`);
  } else {
    out(formatTimeline(timeline));
  }
  return timeline.result.ok ? 0 : 1;
}

/** At most this many lines of changed pages per process and step, and of new TLB entries; the rest are counted. */
const MAX_RUN_LINES = 24;
/** At most this many new TLB entries are listed per step; the rest are counted. */
const MAX_TLB_LINES = 8;

/**
 * The whole trace as text: for each step, what the kernel did, what an
 * expect compared, and only what changed (pages, reference counts,
 * counters, the TLB); then the outcome.
 */
export function formatTimeline(t: Timeline): string {
  const lines: string[] = [];
  const rounds = roundsOf(t.steps);
  t.steps.forEach((step, i) => {
    const failed = t.result.failedSteps.filter((f) => f.index === i);
    lines.push(...formatStep(step, i === 0 ? null : t.steps[i - 1]!, rounds, failed), "");
  });
  const r = t.result;
  lines.push(r.ok ? "every expectation held" : `FAILED: ${r.failures.length} failure(s)`);
  for (const f of r.failures) lines.push(`  ${f}`);
  for (const a of r.audit) lines.push(`  audit: ${a}`);
  return lines.join("\n");
}

/** How many times each step's path ran: a step in a repeat is named "round 3 of 4". */
export function roundsOf(steps: readonly StepView[]): ReadonlyMap<string, number> {
  const rounds = new Map<string, number>();
  for (const s of steps) rounds.set(s.path, (rounds.get(s.path) ?? 0) + 1);
  return rounds;
}

/** "step 4.2, round 3 of 4: exit C 0", or "the start: machine booted". */
export function stepTitle(s: StepView, rounds: ReadonlyMap<string, number>): string {
  return `${stepName(s.number, s.round, s.round === null ? null : (rounds.get(s.path) ?? null))}: ${s.text}`;
}

/** What an expect step compared, and whether it held: `counter cowCopies to equal 1; it is 1: held`. */
export function expectText(o: ExpectOutcome): string {
  const subject = typeof o.subject === "string" ? `counter ${o.subject}` : `${o.subject.proc}'s ${o.subject.figure}`;
  return `${subject} ${boundText(o.bound)}; it is ${JSON.stringify(o.actual)}: ${o.held ? "held" : "did NOT hold"}`;
}

function formatStep(
  s: StepView,
  before: StepView | null,
  rounds: ReadonlyMap<string, number>,
  failed: readonly FailedStep[],
): string[] {
  const lines = [`== ${stepTitle(s, rounds)}`];
  for (const e of eventLines(s.events)) lines.push(`   ${e.text}`);
  if (s.expected !== null) lines.push(`   expected ${expectText(s.expected)}`);
  // a missed expect says it above; any other failure is said here
  for (const f of failed) if (s.expected === null) lines.push(`   FAILED: ${f.message}`);
  for (const c of pageChanges(before, s)) lines.push(...formatChanges(c));
  const counters = counterChanges(before, s);
  if (counters.length > 0) lines.push(`   counters: ${counters.map(formatCounter).join(", ")}`);
  lines.push(...formatTlb(s, before));
  return lines;
}

function formatChanges(c: PageChanges): string[] {
  const p = c.process;
  if (c.ended)
    return [`   ${p.name} (pid ${p.pid}) ${p.state}${p.killedBy ? " by " + p.killedBy : ""}: its memory is gone`];
  const root = `root page table in frame ${p.root}`;
  const asid = p.asid === 0 ? "no ASID yet" : `asid ${p.asid}`; // 0: the kernel gives one when it first runs
  const head = c.isNew
    ? `   ${p.name} (pid ${p.pid}, ${asid}, ${root}): new, ${plural(c.pages, "page")} mapped`
    : `   ${p.name} (pid ${p.pid}, ${asid}${c.newRoot ? `, ${root} now` : ""}): ${plural(c.pages, "page")} changed`;
  // by address, each page's old mapping just above its new one
  const rows = [...c.was.map((r) => ({ r, word: "was" })), ...c.now.map((r) => ({ r, word: c.isNew ? "   " : "now" }))];
  rows.sort((a, b) => a.r.va - b.r.va || (a.word === "was" ? -1 : 1));
  const shown = rows.slice(0, MAX_RUN_LINES).map(({ r, word }) => `     ${word} ${formatRun(r)}`);
  if (rows.length > MAX_RUN_LINES) shown.push(`     ... and ${rows.length - MAX_RUN_LINES} more lines like these`);
  return [head, ...shown];
}

function formatCounter(c: CounterChange): string {
  const d = c.after - c.before;
  return `${c.name} ${c.after} (${d > 0 ? "+" : ""}${d})`;
}

// The TLB when it changed: satp's ASID, its entries, the new ones, and every stale one (each step it stays).
function formatTlb(s: StepView, before: StepView | null): string[] {
  const t = tlbChanges(before, s);
  if (t.added.length === 0 && t.gone === 0 && t.stale.length === 0) return [];
  const satp = s.satp === null ? "paging off" : `satp asid ${s.satp.asid}`;
  const moved = [t.added.length > 0 ? `${t.added.length} new` : "", t.gone > 0 ? `${t.gone} gone` : ""];
  const lines = [
    `   TLB (${satp}): ${plural(t.entries.length, "entry", "entries")}${moved.some(Boolean) ? `, ${moved.filter(Boolean).join(", ")}` : ""}`,
  ];
  for (const e of t.added.slice(0, MAX_TLB_LINES)) if (e.stale === null) lines.push(`     new   ${formatTlbEntry(e)}`);
  if (t.added.length > MAX_TLB_LINES) lines.push(`     ... and ${t.added.length - MAX_TLB_LINES} more new`);
  for (const e of t.stale) lines.push(`     STALE ${formatTlbEntry(e)}: ${e.stale}`);
  return lines;
}

/** One TLB entry: `asid 1 0x00011000 -> frame 5 rw- u`. */
export function formatTlbEntry(e: TlbView): string {
  return `asid ${e.asid} 0x${hex8(e.va)} -> frame ${e.frame} ${flagText(e.flags).trimEnd()}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line per run: `0x00010000 +4 pages  r-x u  frames 1..4  ref 2`. */
export function formatRun(r: PteRun): string {
  const where = r.pages === 1 ? `0x${hex8(r.va)}         ` : `0x${hex8(r.va)} +${String(r.pages).padEnd(5)} pages`;
  const frames = r.pages === 1 ? `frame ${r.frame}` : `frames ${r.frame}..${r.frame + r.pages - 1}`;
  return `${where.padEnd(24)} ${flagText(r.flags)}  ${frames.padEnd(18)} ref ${r.ref}`;
}

/** PTE flags as letters: `rw- u ad cow`. */
export function flagText(flags: number): string {
  const bit = (b: number, c: string) => (flags & b ? c : "-");
  const rwx = bit(PTE_R, "r") + bit(PTE_W, "w") + bit(PTE_X, "x");
  const extra = [flags & PTE_U ? "u" : "", flags & PTE_G ? "g" : "", flags & PTE_A ? "a" : "", flags & PTE_D ? "d" : ""]
    .join("")
    .padEnd(3);
  const v = flags & PTE_V ? "" : " INVALID";
  return `${rwx} ${extra}${flags & PTE_COW ? " cow" : "    "}${v}`;
}

/** One line about what the kernel did during a step; `pid` is the process a fault or call was in. */
export interface EventLine {
  readonly kind: "fault" | "syscall" | "frames";
  readonly text: string;
  readonly pid: number | null;
}

/**
 * A step's events as short lines: faults of one kind in a row (allocations
 * and fences between them aside) become one line, and the frames allocated
 * and freed and the fences are counted on a last line.
 */
export function eventLines(events: readonly TraceEvent[]): EventLine[] {
  const out: EventLine[] = [];
  const shown = events.filter((e) => e.kind === "fault" || e.kind === "syscall");
  let i = 0;
  while (i < shown.length) {
    const e = shown[i]!;
    if (e.kind === "fault") {
      let j = i + 1;
      while (j < shown.length && sameFault(shown[j]!, e)) j++;
      out.push({ kind: "fault", text: faultLine(e, j - i), pid: e.pid });
      i = j;
      continue;
    }
    if (e.kind === "syscall") out.push({ kind: "syscall", text: `pid ${e.pid} ${e.name}: ${e.result}`, pid: e.pid });
    i++;
  }
  const fences = events.filter((e) => e.kind === "fence").length;
  const allocs = events.filter((e) => e.kind === "alloc").length;
  const frees = events.filter((e) => e.kind === "free").length;
  if (fences + allocs + frees > 0)
    out.push({ kind: "frames", text: `${allocs} frame(s) allocated, ${frees} freed, ${fences} sfence.vma`, pid: null });
  return out;
}

function sameFault(a: TraceEvent, b: TraceEvent & { kind: "fault" }): boolean {
  return a.kind === "fault" && a.pid === b.pid && a.resolution === b.resolution && a.scause === b.scause;
}

function faultLine(e: TraceEvent & { kind: "fault" }, times: number): string {
  const what = e.scause === 15 ? "store" : e.scause === 13 ? "load" : "fetch";
  const at = `pid ${e.pid} ${what} fault at 0x${hex8(e.va)}${e.priv === "S" ? " (in copyout)" : ""}`;
  const more = times > 1 ? ` (and ${times - 1} more like it)` : "";
  switch (e.resolution) {
    case "cow-copy":
      return `${at}: COW, frame ${e.frameBefore} had ${e.refBefore} references -> copied to frame ${e.frameAfter}${more}`;
    case "cow-reuse":
      return `${at}: COW, frame ${e.frameBefore} had 1 reference -> made writable, no copy${more}`;
    case "demand-zero":
      return `${at}: untouched page -> zero-filled frame ${e.frameAfter}${more}`;
    case "SIGSEGV":
      return `${at}: no valid mapping allows it -> killed with SIGSEGV${more}`;
    case "SIGKILL":
      return `${at}: no free frame -> killed with SIGKILL${more}`;
    case "fail":
      return `${at}: cannot be resolved -> copyout fails${more}`;
    default:
      return `${at}: ${e.resolution}${more}`;
  }
}
