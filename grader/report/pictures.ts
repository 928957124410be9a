// Pictures of what went wrong, for the student's report: for a failed test
// or threshold that has a scenario, the scenario runs on the submission's
// kernel and on the reference kernel, and the first step where the two
// differ is drawn, before and after, one kernel beside the other.
//
// Where the scenario comes from: a threshold has its own; a test may name
// one with an optional "scenario" field in rubric.json (a file relative to
// the lab's folder, like a threshold's), e.g.
//   { "id": "B3", ..., "scenario": "thresholds/child-writes.json" }
// and a test without one tries its part's threshold scenarios in turn: the
// first where the kernels differ visibly is drawn. A picture that would
// look the same as one already drawn is not drawn again: the item points at
// that one. A hidden item never gets a picture: the reference's page tables
// would show what it expects.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { COUNTER_NAMES, Counters } from "../../solution/src/hw/machine";
import { PGSIZE, PTE_COW, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from "../../solution/src/hw/riscv";
import { loadScenario } from "../../solution/src/scenario/parse";
import { ProcessView, StepView, Timeline, buildTimeline } from "../../solution/src/scenario/timeline";
import { cpuTimeMs, processTree } from "../_cputime";
import { rssKb } from "../run";
import { IsolationLayer, Sandboxed, forkSandboxed } from "../sandbox/isolation";
import { Rubric, ScoredItem, SubmissionResult } from "../model";
import { TimelineJob, TimelineReply, slim } from "./_timeline-child";
import { firstFault } from "./draw";

/** Runs per process per step kept from a timeline (both kernels alike). */
export const MAX_RUNS = 512;
/** Pictures per report at most. */
export const MAX_PICTURES = 4;

/** The step of a scenario where a submission's kernel first did something else than the reference's. */
export interface Divergence {
  /** Index into both timelines' steps (0 is the machine before the first step). */
  readonly index: number;
  /** What differs, in a sentence. */
  readonly why: string;
  /** The page to outline, when the difference is in one: the process's name and the address. */
  readonly focus: { readonly process: string; readonly va: number } | null;
}

/** One picture: the same step of a scenario on both kernels. */
export interface FailurePicture {
  /** The rubric item (test or threshold) it explains. */
  readonly itemId: string;
  /** The scenario's name, and its file relative to the lab's folder. */
  readonly scenario: string;
  readonly scenarioFile: string;
  /** The number of steps in the scenario run (the reference's). */
  readonly steps: number;
  readonly divergence: Divergence;
  /** Steps `index - 1` (or `index` for the first) and `index`, on each kernel. */
  readonly mine: { readonly before: StepView; readonly after: StepView };
  readonly reference: { readonly before: StepView; readonly after: StepView };
  /** Where those two steps are in a repeat: which round of how many (1 of 1 outside any). */
  readonly rounds: { readonly before: StepRound; readonly after: StepRound };
  /**
   * Set when this item's picture would repeat one already in the report:
   * the item that has it. The report then points at that picture instead
   * of drawing it again.
   */
  readonly sameAs?: string;
}

/** A step's round in the repeats around it: the n-th time its path ran, of how many. */
export interface StepRound {
  readonly round: number;
  readonly rounds: number;
}

/** Where a picture cannot be drawn, why (for the instructor's log). */
export interface PictureProblem {
  readonly itemId: string;
  readonly why: string;
}

/**
 * The scenario files (relative to the lab's folder) to try for each rubric
 * item, by id: a threshold's own; a test's "scenario", or else its part's
 * threshold scenarios.
 */
export function pictureScenarios(labDir: string, rubric: Rubric): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of rubric.thresholds) out.set(t.id, [t.scenario]);
  // the rubric's own parser keeps only the fields the grader uses: read "scenario" from the file itself
  const own = new Map<string, string>();
  let raw: unknown = null;
  try {
    raw = JSON.parse(readFileSync(path.join(labDir, "rubric.json"), "utf8"));
  } catch {
    // no rubric file to read (a rubric made in memory): tests use their part's scenarios
  }
  const tests = (raw as { tests?: unknown } | null)?.tests;
  if (Array.isArray(tests)) {
    tests.forEach((t, i) => {
      const o = t as { id?: unknown; scenario?: unknown };
      if (o.scenario === undefined) return;
      if (typeof o.id !== "string" || typeof o.scenario !== "string" || o.scenario === "")
        throw new Error(
          `Cannot read rubric "${path.join(labDir, "rubric.json")}": tests[${i}].scenario must be a non-empty string`,
        );
      own.set(o.id, o.scenario);
    });
  }
  for (const t of rubric.tests) {
    const mine = own.get(t.id);
    const part = [...new Set(rubric.thresholds.filter((th) => th.part === t.part).map((th) => th.scenario))];
    const files = mine !== undefined ? [mine] : part;
    if (files.length > 0) out.set(t.id, files);
  }
  return out;
}

/** The items of `result` that may get a picture: failed, not hidden, scored (not blocked), with a scenario to try. */
export function itemsToPicture(
  result: SubmissionResult,
  scenarios: ReadonlyMap<string, readonly string[]>,
): ScoredItem[] {
  if (result.status !== "graded") return [];
  return result.items.filter(
    (i) =>
      !i.passed &&
      i.visibility !== "hidden" &&
      (scenarios.get(i.id)?.length ?? 0) > 0 &&
      !i.output.startsWith("Not graded") &&
      !i.output.startsWith("depends on"),
  );
}

// --- running the scenarios ------------------------------------------------------

const referenceCache = new Map<string, Timeline>();

/** The scenario's timeline on the reference kernel (this process's solution/src), computed once per file. */
export function referenceTimeline(file: string): Timeline {
  let t = referenceCache.get(file);
  if (t === undefined) {
    t = slim(buildTimeline(loadScenario(file)), MAX_RUNS);
    referenceCache.set(file, t);
  }
  return t;
}

export interface SubmissionRun {
  /** The compiled kit (the grader's kit cache: src/ inside). */
  readonly kit: string;
  /** The submission's compiled student files (rel as in the rubric, JavaScript). */
  readonly files: readonly { readonly rel: string; readonly js: string }[];
  /** The sandbox's budgets, as a grading worker's. */
  readonly engine: TimelineJob["engine"];
  readonly studentFiles: readonly string[];
  readonly stepBudget: number;
  /**
   * CPU time (the child's and its processes') for all the scenarios
   * together: a budget the same on a loaded machine as on an idle one, so a
   * report's pictures do not depend on the machine's speed. Ten times as
   * much wall-clock time is the backstop for a child that hangs.
   */
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The layer the child runs under (default "none": the kit's own code alone). */
  readonly isolation?: IsolationLayer;
}

/**
 * The scenarios' timelines on the submission's kernel, run in a child
 * process; an entry is an error message when its scenario could not run,
 * and every entry is when the child ran out of time or died.
 */
export function submissionTimelines(run: SubmissionRun, files: readonly string[]): Promise<(Timeline | string)[]> {
  const job: TimelineJob = {
    kit: run.kit,
    files: run.files,
    engine: run.engine,
    studentFiles: run.studentFiles,
    scenarios: files,
    stepBudget: run.stepBudget,
    maxRuns: MAX_RUNS,
  };
  const all = (why: string): (Timeline | string)[] => files.map(() => why);
  let box: Sandboxed;
  try {
    box = forkSandboxed(childScript(), {
      layer: run.isolation ?? "none",
      read: [run.kit, ...files],
      execArgv: [`--max-old-space-size=${run.memoryMb}`],
      serialization: "advanced",
    });
  } catch (e) {
    return Promise.resolve(all((e as Error).message));
  }
  const child = box.child;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: (Timeline | string)[]): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(memory);
      clearInterval(cpu);
      box.kill();
      resolve(value);
    };
    const seconds = Math.round(run.timeoutMs / 1000);
    const timer = setTimeout(
      () => finish(all(`the scenarios did not finish within ${10 * seconds} s`)),
      10 * run.timeoutMs,
    );
    const cpu = setInterval(() => {
      const used = box.pid === undefined ? null : cpuTimeMs(processTree(box.pid));
      if (used !== null && used > run.timeoutMs) finish(all(`the scenarios used more than ${seconds} s of CPU time`));
    }, 100);
    // the heap limit does not cover buffers: resident memory is watched from outside, as a grading worker's is
    const memory = setInterval(() => {
      const kb = rssKb(box.pid);
      if (kb !== null && kb > run.memoryMb * 1024)
        finish(all(`the scenarios used more than ${run.memoryMb} MiB of memory`));
    }, 25);
    child.once("message", (reply: TimelineReply) =>
      finish(reply.map((r) => ("error" in r ? r.error : (r.timeline as Timeline)))),
    );
    child.once("exit", (exitCode, exitSignal) => {
      const { code, signal } = box.ending(exitCode, exitSignal);
      finish(all(`the process running the scenarios ended (${signal ?? `exit code ${code}`})`));
    });
    child.once("error", (e) => finish(all(e.message)));
    child.send(job);
  });
}

// The child's JavaScript: compiled beside this file (dist/), or this
// file's TypeScript transpiled alone into the temporary folder.
function childScript(): string {
  const js = path.join(__dirname, "_timeline-child.js");
  if (existsSync(js)) return js;
  const source = readFileSync(path.join(__dirname, "_timeline-child.ts"), "utf8");
  const hash = createHash("sha256").update(source).digest("hex").slice(0, 12);
  const out = path.join(os.tmpdir(), `oslab-timeline-child-${hash}.js`);
  if (!existsSync(out)) {
    const compiled = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true },
    }).outputText;
    mkdirSync(path.dirname(out), { recursive: true });
    // written whole under another name first: batches running at once may race here
    const tmp = `${out}.${process.pid}`;
    writeFileSync(tmp, compiled);
    renameSync(tmp, out);
  }
  return out;
}

// --- comparing -----------------------------------------------------------------

/** PTE bits compared between kernels: A and D depend on the accesses, not on the kernel. */
const COMPARED = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_COW;

/** Counters compared between kernels (cycles and fences differ by design). */
const COUNTERS = [
  "pageFaults",
  "cowFaults",
  "cowCopies",
  "cowReuses",
  "demandZeroFaults",
  "segfaults",
  "oomKills",
  "framesCopied",
  "framesInUse",
] as const;

/**
 * The first step where `mine` went wrong against `reference`: the earliest
 * of the step where the scenario first failed, the step where `figure` (a
 * counter) first differs, and the step where a page table or a process
 * first differs (frame numbers aside). Without any of those, the first
 * step where a counter differs, then the audit's finding after the last
 * step; null when the two runs agree.
 */
export function firstDivergence(mine: Timeline, reference: Timeline, figure?: string): Divergence | null {
  const n = Math.min(mine.steps.length, reference.steps.length);
  const candidates: Divergence[] = [];
  // the failed step as data: its place in the timeline and the run's reason
  const failure = mine.result.failedSteps[0];
  if (failure !== undefined && failure.index < mine.steps.length)
    candidates.push({
      index: failure.index,
      why: `The scenario failed here on your kernel: ${failure.message}`,
      focus: null,
    });
  if (figure !== undefined && (COUNTER_NAMES as readonly string[]).includes(figure)) {
    const key = figure as keyof Counters;
    const at = range(n).find((i) => mine.steps[i]!.counters[key] !== reference.steps[i]!.counters[key]);
    if (at !== undefined)
      candidates.push({
        index: at,
        why: `${figure} is ${mine.steps[at]!.counters[key]} after this step on your kernel, ${reference.steps[at]!.counters[key]} on the reference kernel.`,
        focus: null,
      });
  }
  for (let i = 0; i < n; i++) {
    const d = stateDifference(mine.steps[i]!, reference.steps[i]!);
    if (d !== null) {
      candidates.push({ index: i, ...d });
      break;
    }
  }
  if (candidates.length > 0) {
    // the earliest; at the same step, a page's difference says more than a failure or a counter
    const at = Math.min(...candidates.map((c) => c.index));
    const here = candidates.filter((c) => c.index === at);
    return here.find((c) => c.focus !== null) ?? here[0]!;
  }
  for (let i = 0; i < n; i++) {
    const c = COUNTERS.find((k) => mine.steps[i]!.counters[k] !== reference.steps[i]!.counters[k]);
    if (c !== undefined)
      return {
        index: i,
        why: `${c} is ${mine.steps[i]!.counters[c]} after this step on your kernel, ${reference.steps[i]!.counters[c]} on the reference kernel.`,
        focus: null,
      };
  }
  const audit = mine.result.audit[0];
  if (audit !== undefined && n > 0)
    return { index: n - 1, why: `After the last step, the kernel's check found: ${audit}`, focus: null };
  return null;
}

/** How two views of the same step differ, in a sentence, or null when they agree (frame numbers aside). */
export function stateDifference(mine: StepView, reference: StepView): Omit<Divergence, "index"> | null {
  const names = [...new Set([...reference.processes, ...mine.processes].map((p) => p.name))];
  for (const name of names) {
    const m = mine.processes.find((p) => p.name === name);
    const r = reference.processes.find((p) => p.name === name);
    if (m === undefined || r === undefined) {
      return {
        why: `Process ${name} exists on ${m === undefined ? "the reference kernel" : "your kernel"} only.`,
        focus: null,
      };
    }
    if (m.state !== r.state || m.killedBy !== r.killedBy)
      return {
        why: `Process ${name} is ${stateText(m)} on your kernel, ${stateText(r)} on the reference kernel.`,
        focus: null,
      };
    const mp = pages(m);
    const rp = pages(r);
    const vas = [...new Set([...mp.keys(), ...rp.keys()])].sort((a, b) => a - b);
    for (const va of vas) {
      const a = mp.get(va);
      const b = rp.get(va);
      if (a !== undefined && b !== undefined && a.flags === b.flags && a.ref === b.ref) continue;
      const at = `${name}'s page at 0x${hex8(va)}`;
      const focus = { process: name, va };
      if (a === undefined)
        return { why: `${at} is not mapped on your kernel; on the reference kernel it is ${pageText(b!)}.`, focus };
      if (b === undefined)
        return {
          why: `${at} is mapped on your kernel (${pageText(a)}); on the reference kernel it is not mapped.`,
          focus,
        };
      return {
        why: `${at}: on your kernel it is ${pageText(a)}; on the reference kernel it is ${pageText(b)}.`,
        focus,
      };
    }
  }
  return null;
}

function pages(p: ProcessView): Map<number, { flags: number; ref: number }> {
  const out = new Map<number, { flags: number; ref: number }>();
  for (const r of p.runs)
    for (let i = 0; i < r.pages; i++) out.set(r.va + i * PGSIZE, { flags: r.flags & COMPARED, ref: r.ref });
  return out;
}

/** "read-only, copy-on-write, 2 references". */
function pageText(p: { flags: number; ref: number }): string {
  const access = p.flags & PTE_W ? "writable" : p.flags & PTE_R ? "read-only" : "not readable";
  const parts = [access];
  if (p.flags & PTE_X) parts.push("executable");
  if (!(p.flags & PTE_U)) parts.push("kernel-only");
  parts.push(p.flags & PTE_COW ? "copy-on-write" : "not copy-on-write");
  parts.push(p.ref === 1 ? "with 1 reference to its frame" : `with ${p.ref} references to its frame`);
  return parts.join(", ");
}

function stateText(p: ProcessView): string {
  return p.state === "killed" && p.killedBy !== null ? `killed by ${p.killedBy}` : p.state;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

// --- the pictures ---------------------------------------------------------------

/** The picture of `divergence` in the two timelines. */
export function pictureOf(
  itemId: string,
  scenario: { name: string; file: string },
  mine: Timeline,
  reference: Timeline,
  divergence: Divergence,
): FailurePicture {
  const i = divergence.index;
  const before = Math.max(0, i - 1);
  return {
    itemId,
    scenario: scenario.name,
    scenarioFile: scenario.file,
    steps: reference.steps.length - 1,
    divergence,
    mine: { before: mine.steps[before]!, after: mine.steps[i]! },
    reference: { before: reference.steps[before]!, after: reference.steps[i]! },
    rounds: { before: roundOf(reference.steps, before), after: roundOf(reference.steps, i) },
  };
}

/** The round of step `index`: a step inside a repeat has the same path every time round. */
export function roundOf(steps: readonly StepView[], index: number): StepRound {
  const path = steps[index]!.path;
  let round = 0;
  let rounds = 0;
  steps.forEach((s, k) => {
    if (s.path !== path) return;
    rounds++;
    if (k <= index) round++;
  });
  return { round, rounds };
}

/**
 * What a picture shows, as a key: two pictures with the same key look the
 * same. What is drawn of a step is its processes, its leaked frames and
 * its first fault (outlined); its text and counters are not drawn.
 */
export function pictureKey(steps: { readonly before: StepView; readonly after: StepView }): string {
  const drawn = (s: StepView) => ({ processes: s.processes, leaked: s.leaked ?? [], fault: firstFault(s) });
  return JSON.stringify([drawn(steps.before), drawn(steps.after)]);
}

export interface PictureContext {
  readonly labDir: string;
  readonly scenarios: ReadonlyMap<string, readonly string[]>;
  readonly run: SubmissionRun;
}

/**
 * The pictures for `result` (at most MAX_PICTURES drawn), with the
 * reasons some items have none. A picture whose two kernels would look the
 * same is not drawn (the item's next scenario is tried); an item whose
 * picture would look the same as one already drawn gets a pointer to that
 * one instead (`sameAs`). Never throws for what the submission does.
 */
export async function picturesFor(
  result: SubmissionResult,
  rubric: Rubric,
  ctx: PictureContext,
): Promise<{ pictures: FailurePicture[]; problems: PictureProblem[] }> {
  const items = itemsToPicture(result, ctx.scenarios);
  if (items.length === 0) return { pictures: [], problems: [] };
  const files = [...new Set(items.flatMap((i) => ctx.scenarios.get(i.id)!))];
  const abs = files.map((f) => path.resolve(ctx.labDir, f));
  const mine = await submissionTimelines(ctx.run, abs);
  const drawn: FailurePicture[] = [];
  const out: FailurePicture[] = [];
  const problems: PictureProblem[] = [];
  for (const item of items) {
    const figure = rubric.thresholds.find((t) => t.id === item.id)?.figure;
    const found = findPicture(item.id, ctx.scenarios.get(item.id)!, { files, abs, mine, drawn, figure });
    if ("why" in found) {
      problems.push({ itemId: item.id, why: found.why });
      continue;
    }
    if (found.picture.sameAs === undefined) {
      if (drawn.length >= MAX_PICTURES) continue;
      drawn.push(found.picture);
    }
    out.push(found.picture);
  }
  return { pictures: out, problems };
}

/** What picturesFor needs to look for one item's picture. */
interface Search {
  readonly files: readonly string[];
  readonly abs: readonly string[];
  readonly mine: readonly (Timeline | string)[];
  /** The pictures drawn so far. */
  readonly drawn: readonly FailurePicture[];
  readonly figure: string | undefined;
}

/**
 * The picture for item `itemId` from the first of its scenario `files`
 * where the two kernels differ visibly; a pointer to an earlier picture
 * instead when it would look the same as that one; else why there is none.
 */
function findPicture(
  itemId: string,
  files: readonly string[],
  s: Search,
): { picture: FailurePicture } | { why: string } {
  const why: string[] = [];
  for (const file of files) {
    const k = s.files.indexOf(file);
    const p = scenarioPicture(itemId, { file, abs: s.abs[k]! }, s.mine[k]!, s.figure);
    if (typeof p === "string") {
      why.push(p);
      continue;
    }
    const key = [pictureKey(p.mine), pictureKey(p.reference)].join("\n");
    const twin = s.drawn.find((d) => [pictureKey(d.mine), pictureKey(d.reference)].join("\n") === key);
    return { picture: twin === undefined ? p : { ...twin, itemId, sameAs: twin.itemId } };
  }
  return { why: why.join("; ") };
}

/** The picture of `file` for an item, or why there is none. */
function scenarioPicture(
  itemId: string,
  file: { file: string; abs: string },
  mine: Timeline | string,
  figure: string | undefined,
): FailurePicture | string {
  if (typeof mine === "string") return `${file.file}: ${mine}`;
  let ref: Timeline;
  try {
    ref = referenceTimeline(file.abs);
  } catch (e) {
    return `the reference kernel cannot run ${file.file}: ${(e as Error).message}`;
  }
  const d = firstDivergence(mine, ref, figure);
  if (d === null) return `your kernel and the reference do the same in ${file.file}`;
  const p = pictureOf(itemId, { name: scenarioName(file.abs), file: file.file }, mine, ref, d);
  if (pictureKey(p.mine) === pictureKey(p.reference))
    return `in ${file.file}, your kernel and the reference differ only in what a picture does not show`;
  return p;
}

function scenarioName(file: string): string {
  try {
    return loadScenario(file).name;
  } catch {
    return path.basename(file, ".json");
  }
}
