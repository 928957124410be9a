// The handout's view model: every number, table and figure the COW lab's
// handout shows, computed by running real scenarios through the reference
// kernel and reading the rubric. labs/cow/handout.md only places them.

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { forkCosts, otherExperiments, problemsOf, rssExperiment, ExperimentRun } from "../cli/experiments";
import { EXAMPLES_DIR } from "../cli/examples";
import { ForkCost } from "../cli/forkcost";
import { Rubric } from "../grader/model";
import { drawPageTables, panelOf, refColour } from "../grader/report/draw";
import { Lab } from "../labs/lab";
import { COST } from "../solution/src/hw/cost";
import {
  PGSIZE,
  PTESIZE,
  SCAUSE_INSTRUCTION_PAGE_FAULT,
  SCAUSE_LOAD_PAGE_FAULT,
  SCAUSE_STORE_PAGE_FAULT,
} from "../solution/src/hw/riscv";
import { DEFAULT_FRAMES, DEFAULT_TLB_ENTRIES } from "../solution/src/kernel/index";
import { loadScenario } from "../solution/src/scenario/parse";
import { StepView, buildTimeline } from "../solution/src/scenario/timeline";
import { Scenario, Step } from "../solution/src/scenario/types";
import { groupedBarsLog, stackedBarsHorizontal, esc } from "./chart";
import { CourseConfig } from "./config";
import { GradingView, gradingView } from "./_grading";

/** One of the lab's parts: the function to write and the public tests that check it. */
export interface PartView {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly function: string;
  /** The public test file, relative to the student's project. */
  readonly testFile: string;
  readonly testCommand: string;
  readonly publicTests: readonly string[];
}

export interface HandoutView {
  readonly lab: { readonly name: string; readonly title: string };
  readonly course: CourseConfig;
  readonly answers: boolean;
  readonly parts: readonly PartView[];
  /** The same parts by id ("A", "B", ...), for {{#with part.A}}. */
  readonly part: Readonly<Record<string, PartView>>;
  readonly machine: {
    readonly frames: string;
    readonly mib: string;
    readonly tlbEntries: string;
    readonly pteBytes: string;
  };
  readonly faults: { readonly store: number; readonly load: number; readonly fetch: number };
  readonly cost: Readonly<Record<keyof typeof COST, number>>;
  readonly demo: DemoFacts;
  readonly figures: {
    readonly beforeFork: string;
    readonly afterFork: string;
    readonly afterChildWrite: string;
    readonly afterParentWrite: string;
  };
  readonly experiments: {
    readonly forkCost: {
      readonly rows: readonly ForkCostRow[];
      readonly figure: string;
      /** The largest buffer, and how many times cheaper its fork is when the child writes nothing. */
      readonly largest: string;
      readonly largestRatio: string;
    };
    readonly rss: { readonly mib: string; readonly rows: readonly RssView[]; readonly figure: string };
  };
  readonly seeds: {
    readonly manyForks: { pages: number; sharers: number; copies: number; reuses: number };
    readonly forkExec: { pages: number; cowFaults: number; reuses: number; copies: number };
    readonly zeroFill: { heapPages: number; touched: number };
    readonly globalArray: { copies: number };
  };
  readonly grading: GradingView;
}

/** What the text says about the fork-then-write scenario its figures show. */
export interface DemoFacts {
  readonly scenario: string;
  readonly va: string;
  readonly parentRoot: number;
  readonly childRoot: number;
  readonly sharedFrame: number;
  readonly copyFrame: number;
  readonly refAtCopy: number;
}

export interface ForkCostRow {
  readonly size: string;
  readonly noWrite: string;
  readonly write: string;
  readonly copied: string;
  readonly ratio: string;
}

export interface RssView {
  readonly moment: string;
  readonly proc: string;
  readonly rss: string;
  readonly shared: string;
  readonly private: string;
}

/** The scenario of the step-by-step figures, in the student's project. */
export const DEMO_SCENARIO = "scenarios/fork-then-write.json";

export interface ViewOptions {
  readonly course: CourseConfig;
  readonly answers: boolean;
  readonly rubric: Rubric;
  /** The folder the rubric's threshold scenarios are relative to. */
  readonly rubricDir: string;
}

/** Builds the COW handout's view model; throws when an experiment fails on the reference kernel. */
export function handoutView(lab: Lab, options: ViewOptions): HandoutView {
  const figures = new FigureNumbers();
  const demo = demoFigures(path.join(lab.solution, DEMO_SCENARIO), figures);
  const parts = lab.editPoints.map((e) => partView(lab, e.part, e.title, e.file, e.function));
  return {
    lab: { name: lab.name, title: lab.title },
    course: options.course,
    answers: options.answers,
    parts,
    part: Object.fromEntries(parts.map((p) => [p.id, p])),
    machine: {
      frames: DEFAULT_FRAMES.toLocaleString("en-US"),
      mib: String((DEFAULT_FRAMES * PGSIZE) / 2 ** 20),
      tlbEntries: String(DEFAULT_TLB_ENTRIES),
      pteBytes: String(PTESIZE),
    },
    faults: { store: SCAUSE_STORE_PAGE_FAULT, load: SCAUSE_LOAD_PAGE_FAULT, fetch: SCAUSE_INSTRUCTION_PAGE_FAULT },
    cost: { ...COST },
    demo: demo.facts,
    figures: demo.figures,
    experiments: { forkCost: forkCostView(figures), rss: rssView(figures) },
    seeds: seedFacts(),
    grading: gradingView(options.rubric, options.rubricDir),
  };
}

// --- the parts -----------------------------------------------------------------

function partView(lab: Lab, id: string, title: string, file: string, fn: string): PartView {
  const testsDir = path.join(lab.solution, "tests");
  const name = readdirSync(testsDir).find((f) => f.startsWith(`part${id}-`) && f.endsWith(".test.ts"));
  if (name === undefined)
    throw new Error(`Cannot build the handout: no public tests for part ${id} (${testsDir}/part${id}-*.test.ts)`);
  return {
    id,
    title,
    file,
    function: fn,
    testFile: `tests/${name}`,
    testCommand: `npm test -- part${id}`,
    publicTests: publicTestTitles(readFileSync(path.join(testsDir, name), "utf8")),
  };
}

/** The titles of the top-level test("...") calls of a test file, in order. */
export function publicTestTitles(source: string): string[] {
  const titles: string[] = [];
  for (const m of source.matchAll(/^(?:test|it)\(\s*"((?:[^"\\]|\\.)*)"/gm)) titles.push(JSON.parse(`"${m[1]!}"`));
  return titles;
}

// --- the step-by-step figures ----------------------------------------------------

class FigureNumbers {
  #n = 0;
  /** A <figure> holding `svg`, numbered in the order figures are made (the order the handout shows them). */
  figure(id: string, svg: string, caption: string): string {
    this.#n++;
    const body = svg.replace(/\n\s*\n/g, "\n");
    return `<figure class="figure" id="${id}">\n${body}\n<figcaption><strong>Figure ${this.#n}.</strong> ${esc(caption)}</figcaption>\n</figure>`;
  }
}

const WRITES: readonly Step["op"][] = ["write", "memset", "touch"];

function isWriteBy(step: Step, proc: string): boolean {
  if (!WRITES.includes(step.op) || !("proc" in step) || step.proc !== proc) return false;
  return step.op !== "touch" || step.access === "write";
}

/** The fork-then-write scenario drawn at four moments, and the facts the text quotes. */
function demoFigures(file: string, figures: FigureNumbers): { facts: DemoFacts; figures: HandoutView["figures"] } {
  const scenario: Scenario = loadScenario(file);
  const timeline = buildTimeline(scenario);
  const problems = [...timeline.result.failures, ...timeline.result.audit];
  if (!timeline.result.ok || problems.length > 0) {
    throw new Error(`Cannot build the handout: ${DEMO_SCENARIO} fails on the reference kernel: ${problems.join("; ")}`);
  }
  const steps = scenario.steps;
  const forkAt = steps.findIndex((s) => s.op === "fork");
  const fork = steps[forkAt];
  if (fork === undefined || fork.op !== "fork" || forkAt === 0) {
    throw new Error(`Cannot build the handout: ${DEMO_SCENARIO} must fork after a first step`);
  }
  const childAt = steps.findIndex((s, i) => i > forkAt && isWriteBy(s, fork.as));
  const parentAt = steps.findIndex((s, i) => i > childAt && isWriteBy(s, fork.proc));
  if (childAt < 0 || parentAt < 0) {
    throw new Error(`Cannot build the handout: ${DEMO_SCENARIO} must have the child write, then the parent`);
  }
  const view = (i: number): StepView => {
    const v = timeline.steps.find((s) => s.path === `steps[${i}]`);
    if (v === undefined) throw new Error(`Cannot build the handout: ${DEMO_SCENARIO} has no view of steps[${i}]`);
    return v;
  };
  const before = view(forkAt - 1);
  const afterFork = view(forkAt);
  const childWrite = view(childAt);
  const parentWrite = view(parentAt);
  const fault = childWrite.events.find((e) => e.kind === "fault");
  if (fault === undefined || fault.kind !== "fault" || fault.resolution !== "cow-copy") {
    throw new Error(`Cannot build the handout: in ${DEMO_SCENARIO}, the child's first write does not copy a frame`);
  }
  const procOf = (s: StepView, name: string) => {
    const p = s.processes.find((q) => q.name === name);
    if (p === undefined || p.root === null)
      throw new Error(`Cannot build the handout: ${DEMO_SCENARIO} has no live "${name}"`);
    return p;
  };
  const page = Math.floor(fault.va / PGSIZE) * PGSIZE;
  const frameAt = (s: StepView, name: string): number => {
    const run = procOf(s, name).runs.find((r) => page >= r.va && page < r.va + r.pages * PGSIZE);
    if (run === undefined)
      throw new Error(`Cannot build the handout: "${name}" maps nothing at 0x${page.toString(16)}`);
    return run.frame + (page - run.va) / PGSIZE;
  };
  const draw = (s: StepView, caption: string, highlight: boolean) =>
    drawPageTables(panelOf(s, highlight ? { caption } : { caption, highlight: null }));
  const P = fork.proc;
  const C = fork.as;
  return {
    facts: {
      scenario: DEMO_SCENARIO,
      va: `0x${page.toString(16).padStart(8, "0")}`,
      parentRoot: procOf(afterFork, P).root!,
      childRoot: procOf(afterFork, C).root!,
      sharedFrame: frameAt(afterFork, P),
      copyFrame: frameAt(childWrite, C),
      refAtCopy: fault.refBefore ?? 0,
    },
    figures: {
      beforeFork: figures.figure(
        "fig-before-fork",
        draw(before, "Before the fork", false),
        `Before the fork: the ${P} alone, its two heap pages written, each frame with one reference.`,
      ),
      afterFork: figures.figure(
        "fig-after-fork",
        draw(afterFork, "After the fork", false),
        `After the fork: ${P} and ${C} map the same frames; writable pages are now read-only and COW in both tables, and every frame has two references.`,
      ),
      afterChildWrite: figures.figure(
        "fig-after-child-write",
        draw(childWrite, "After the child's first write", true),
        `After the ${C}'s first write: the faulting page (outlined) now maps a private copy; the other pages are still shared.`,
      ),
      afterParentWrite: figures.figure(
        "fig-after-parent-write",
        draw(parentWrite, "After the parent's write", true),
        `After the ${P} writes the same page: its frame had one reference left, so the handler made it writable again without a copy.`,
      ),
    },
  };
}

// --- seed 002's measurements ------------------------------------------------------

// The experiments' runs, made once per process: they are the kit's own
// example scenarios on the reference kernel, so every build gets the same.
let measured: { costs: ForkCost[]; rss: ReturnType<typeof rssExperiment>; others: ExperimentRun[] } | null = null;

function experiments(): NonNullable<typeof measured> {
  measured ??= { costs: forkCosts(), rss: rssExperiment(), others: otherExperiments() };
  return measured;
}

function failIfBroken(name: string, problems: string[]): void {
  if (problems.length > 0)
    throw new Error(`Cannot build the handout: ${name} fails on the reference kernel: ${problems.join("; ")}`);
}

function forkCostView(figures: FigureNumbers): HandoutView["experiments"]["forkCost"] {
  const costs = experiments().costs;
  for (const c of costs) failIfBroken(`seed002-fork-cost-${c.mib}mib`, problemsOf(c.run));
  const rows = costs.map((c) => ({
    size: `${c.mib} MiB`,
    noWrite: c.noWriteCycles.toLocaleString("en-US"),
    write: c.writeCycles.toLocaleString("en-US"),
    copied: c.framesCopied.toLocaleString("en-US"),
    ratio: `${Math.round(c.writeCycles / c.noWriteCycles)}×`,
  }));
  const svg = groupedBarsLog({
    title: "Cycles from fork to wait, by buffer size",
    categories: costs.map((c) => `${c.mib} MiB buffer`),
    series: [
      { name: "child writes nothing", colour: "#7b8794", values: costs.map((c) => c.noWriteCycles) },
      { name: "child writes every page", colour: "#d9822b", values: costs.map((c) => c.writeCycles) },
    ],
    unit: "simulated cycles",
  });
  const caption =
    "Fork's cost on this machine, from fork to wait, against the size of the parent's buffer. " +
    "The scale is logarithmic: each grid line is ten times the one below.";
  const largest = costs[costs.length - 1]!;
  return {
    rows,
    figure: figures.figure("fig-fork-cost", svg, caption),
    largest: `${largest.mib} MiB`,
    largestRatio: String(Math.round(largest.writeCycles / largest.noWriteCycles)),
  };
}

const MOMENTS: Readonly<Record<string, string>> = {
  "parent-before-fork": "before the fork",
  "child-after-fork": "after the fork",
  "child-after-write": "after the child writes",
  "parent-after-child": "after the child exits",
};
const WHO: Readonly<Record<string, string>> = { P: "parent", C: "child" };

function rssView(figures: FigureNumbers): HandoutView["experiments"]["rss"] {
  const { rows, run } = experiments().rss;
  failIfBroken("seed002-rss", problemsOf(run));
  const words = rows.map((r) => ({ ...r, moment: MOMENTS[r.moment] ?? r.moment, proc: WHO[r.proc] ?? r.proc }));
  const svg = stackedBarsHorizontal({
    title: "Resident pages of parent and child, shared and private",
    categories: words.map((r) => `${r.proc}, ${r.moment}`),
    series: [
      { name: "private pages (1 reference)", colour: refColour(1), values: words.map((r) => r.private) },
      { name: "shared pages (2 references)", colour: refColour(2), values: words.map((r) => r.shared) },
    ],
    unit: "pages",
  });
  const caption =
    "Resident pages of a parent with a 50 MiB buffer and of its child, split into private pages " +
    "(a frame of their own) and shared ones, coloured as in the page-table figures.";
  return {
    mib: "50",
    rows: words.map((r) => ({
      moment: r.moment,
      proc: r.proc,
      rss: r.rss.toLocaleString("en-US"),
      shared: r.shared.toLocaleString("en-US"),
      private: r.private.toLocaleString("en-US"),
    })),
    figure: figures.figure("fig-rss", svg, caption),
  };
}

// --- the other seed experiments -------------------------------------------------------

function seedFacts(): HandoutView["seeds"] {
  const runs = new Map<string, ExperimentRun>();
  for (const e of experiments().others) {
    failIfBroken(e.name, problemsOf(e.run));
    runs.set(e.name, e);
  }
  const get = (name: string): ExperimentRun => {
    const e = runs.get(name);
    if (e === undefined) throw new Error(`Cannot build the handout: the experiment ${name} did not run`);
    return e;
  };
  const scenario = (name: string): Scenario => loadScenario(path.join(EXAMPLES_DIR, `${name}.json`));
  const bytesOf = (name: string, op: "malloc" | "sbrk"): number => {
    const s = scenario(name).steps.find((x) => x.op === op);
    if (s === undefined || (s.op !== "malloc" && s.op !== "sbrk"))
      throw new Error(`Cannot build the handout: ${name} has no ${op}`);
    return s.bytes;
  };
  const many = get("seed001-many-forks");
  const exec = get("seed003-fork-exec");
  const zero = scenario("seed004-zero-fill");
  const spawned = zero.steps.find((s) => s.op === "spawn");
  const touched = zero.steps
    .filter((s) => s.op === "touch" && spawned?.op === "spawn" && s.proc === spawned.as)
    .reduce((n, s) => n + (s.op === "touch" ? s.pages : 0), 0);
  return {
    manyForks: {
      pages: bytesOf("seed001-many-forks", "malloc") / PGSIZE,
      sharers: Object.keys(many.run.result.processes).length,
      copies: many.counters.cowCopies,
      reuses: many.counters.cowReuses,
    },
    forkExec: {
      pages: bytesOf("seed003-fork-exec", "malloc") / PGSIZE,
      cowFaults: exec.counters.cowFaults,
      reuses: exec.counters.cowReuses,
      copies: exec.counters.cowCopies,
    },
    zeroFill: { heapPages: bytesOf("seed004-zero-fill", "sbrk") / PGSIZE, touched },
    globalArray: { copies: get("seed002-global-array").counters.cowCopies },
  };
}
