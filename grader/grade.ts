// Grading a batch: the stages in order for each submission (intake ->
// workspace -> run -> score -> report), several submissions at a time.
// Before the class, the reference solution goes through the same run once:
// that gives the plan (every hidden test by name), the reference's figure
// for each threshold, and warnings when the rubric and the suites disagree.
// Each submission's files are written as soon as it is graded.

import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeAtomic } from "./_atomic";
import { discoverSubmissions, readSubmission, safeId } from "./intake";
import { Kit, KitOptions, prepareKit } from "./kit";
import { BatchSummary, Intake, RunReport, SubmissionResult, SubmissionSource } from "./model";
import { RunPlanUnit, planOf } from "./plan";
import { WorkerPool } from "./pool";
import { ScenarioJob } from "./protocol";
import { gradescopeResults } from "./results";
import { rubricIdOf } from "./rubric";
import type { TemplateSet } from "./report/templates";
import { RunLimits, runSubmission } from "./run";
import { graderErrorResult, score } from "./score";
import { summarize, writeSummary } from "./summary";
import { TypeChecker } from "./typecheck";
import { GRADER_VERSION } from "./version";
import { createWorkspace, removeWorkspace } from "./workspace";

/** What the reference solution's run tells about a batch. */
export interface Baseline {
  /** Every unit a run reports, in order. */
  readonly plan: readonly RunPlanUnit[];
  /** Each threshold's figure on the reference, by threshold id. */
  readonly figures: Readonly<Record<string, number>>;
  /** For the instructor: hidden tests the reference fails, tests no rubric line scores, ... */
  readonly warnings: readonly string[];
}

export type GradeEvent =
  | { readonly type: "baseline"; readonly warnings: readonly string[] }
  | { readonly type: "graded"; readonly result: SubmissionResult; readonly done: number; readonly total: number };

export interface GradeOptions extends KitOptions {
  readonly lab: string;
  /** Output folder: <out>/<id>/results.json, summary.json, grades.csv, summary.html. */
  readonly out: string;
  /** Submissions graded at once (default: the machine's cores). */
  readonly jobs?: number;
  /** Seeds Math.random in the tests (default 1). */
  readonly seed?: number;
  /** Each path is one submission, whatever it holds (Gradescope's submission folder). */
  readonly asOneSubmission?: boolean;
  /** A baseline computed earlier (the Gradescope autograder ships one); default: run the reference. */
  readonly baseline?: Baseline;
  readonly onEvent?: (e: GradeEvent) => void;
  /** The report templates (report/report.ts prepareTemplates); default: the kit's. */
  readonly templates?: TemplateSet;
  /**
   * Write the HTML and Markdown reports (default true). The Gradescope
   * autograder writes results.json alone: its bundle leaves the reports out,
   * for they draw with the reference kernel, which it must not ship.
   */
  readonly reports?: boolean;
}

export interface BatchTiming {
  readonly totalMs: number;
  readonly prepareMs: number;
  readonly baselineMs: number;
  /** Writing the HTML and Markdown reports, after grading. */
  readonly reportsMs: number;
  /** Summed over submissions: waiting for a ready worker, and running tests. */
  readonly startupMs: number;
  readonly testMs: number;
  readonly workersForked: number;
}

export interface BatchOutcome {
  readonly summary: BatchSummary;
  readonly results: readonly SubmissionResult[];
  readonly timing: BatchTiming;
}

/** Grades every submission the paths name; throws only for the instructor's mistakes (a path, the rubric). */
export async function gradeBatch(paths: readonly string[], options: GradeOptions): Promise<BatchOutcome> {
  const t0 = performance.now();
  // loaded only when reports are wanted (a dynamic import, so the autograder's bundle leaves it out)
  const report = options.reports === false ? null : await import("./report/report");
  const templates = report === null ? null : (options.templates ?? report.prepareTemplates());
  const kit = prepareKit(options.lab, options);
  const sources = options.asOneSubmission
    ? paths.map((p) => ({ id: safeId(path.basename(p)), path: path.resolve(p), kind: "folder" as const }))
    : discoverSubmissions(paths, kit.rubric.studentFiles);
  const jobs = Math.max(1, options.jobs ?? os.availableParallelism());
  const seed = options.seed ?? 1;
  const prepareMs = performance.now() - t0;
  const pool = new WorkerPool({ entry: kit.workerEntry, memoryMb: kit.rubric.limits.memoryMb, warm: jobs });
  try {
    const t1 = performance.now();
    const pending =
      options.baseline !== undefined ? Promise.resolve(options.baseline) : establishBaseline(kit, pool, seed);
    // while the reference runs in a worker, the type checker parses the kit once
    const checker = new TypeChecker(path.dirname(kit.kitSrc), kit.rubric.studentFiles);
    checker.check(new Map());
    const baseline = await pending;
    const baselineMs = performance.now() - t1;
    options.onEvent?.({ type: "baseline", warnings: baseline.warnings });
    const results: SubmissionResult[] = [];
    const meta = { graderVersion: GRADER_VERSION, seed, warnings: baseline.warnings };
    let startupMs = 0;
    let testMs = 0;
    const gradeOne = async (source: SubmissionSource): Promise<void> => {
      const result = await gradeSubmission(kit, source, { pool, baseline, checker, seed });
      startupMs += result.timing.startupMs;
      testMs += result.timing.testMs;
      const dir = path.join(options.out, source.id);
      writeAtomic(path.join(dir, "results.json"), JSON.stringify(gradescopeResults(result), null, 2) + "\n");
      writeAtomic(path.join(dir, "details.json"), JSON.stringify(result, null, 2) + "\n");
      results.push(result);
      writeSummary(options.out, summarize(kit.rubric, results, meta));
      options.onEvent?.({ type: "graded", result, done: results.length, total: sources.length });
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < sources.length) await gradeOne(sources[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(jobs, sources.length) }, lane));
    const summary = summarize(kit.rubric, results, meta);
    writeSummary(options.out, summary);
    const t2 = performance.now();
    if (report !== null && templates !== null)
      await report.writeReports({ kit, sources, results, summary }, { out: options.out, templates, jobs });
    const reportsMs = performance.now() - t2;
    const timing = {
      totalMs: performance.now() - t0,
      prepareMs,
      baselineMs,
      reportsMs,
      startupMs,
      testMs,
      workersForked: pool.forked,
    };
    return { summary, results, timing };
  } finally {
    pool.close();
  }
}

interface Shared {
  readonly pool: WorkerPool;
  readonly baseline: Baseline;
  readonly checker: TypeChecker;
  readonly seed: number;
}

/** One submission through every stage; a failure of the grader itself becomes a "grader-error" result. */
export async function gradeSubmission(kit: Kit, source: SubmissionSource, shared: Shared): Promise<SubmissionResult> {
  const t0 = performance.now();
  const meta = { graderVersion: GRADER_VERSION, seed: shared.seed };
  const timing = (report: RunReport | null) => ({
    totalMs: performance.now() - t0,
    startupMs: report?.startupMs ?? 0,
    testMs: report?.testMs ?? 0,
  });
  let intake: Intake = { source, files: [], missing: [...kit.rubric.studentFiles], notes: [] };
  try {
    intake = await readSubmission(source, kit.rubric.studentFiles);
    if (intake.error !== undefined) {
      return score({
        rubric: kit.rubric,
        intake,
        workspace: null,
        outcomes: [],
        reference: shared.baseline.figures,
        meta,
        timing: timing(null),
      });
    }
    const ws = createWorkspace(kit, intake, { checker: shared.checker });
    try {
      const report =
        ws.syntaxErrors.length > 0
          ? null
          : await runSubmission(shared.pool, request(kit, ws.dir, shared.seed), shared.baseline.plan, limitsOf(kit));
      return score({
        rubric: kit.rubric,
        intake,
        workspace: ws,
        outcomes: report?.outcomes ?? [],
        reference: shared.baseline.figures,
        meta,
        timing: timing(report),
      });
    } finally {
      removeWorkspace(ws);
    }
  } catch (e) {
    const why = `${source.id}: ${(e as Error).stack ?? String(e)}`;
    return graderErrorResult({ rubric: kit.rubric, intake, meta, timing: timing(null) }, why);
  }
}

/**
 * Runs the reference solution (the lab's solution files) through the
 * suites and scenarios. Throws when a rubric test has no hidden test or
 * the reference cannot run at all: the batch would be graded wrong.
 */
export async function establishBaseline(kit: Kit, pool: WorkerPool, seed: number): Promise<Baseline> {
  const project = path.dirname(kit.kitSrc);
  const intake: Intake = {
    source: { id: "reference", path: project, kind: "folder" },
    files: kit.rubric.studentFiles.map((f) => ({
      path: f,
      foundAt: f,
      text: readFileSync(path.join(project, f), "utf8"),
    })),
    missing: [],
    notes: [],
  };
  const ws = createWorkspace(kit, intake);
  let report: RunReport;
  try {
    if (ws.syntaxErrors.length > 0)
      throw new Error(`the reference solution does not compile: ${ws.syntaxErrors[0]!.message}`);
    report = await runSubmission(pool, request(kit, ws.dir, seed), [], limitsOf(kit));
  } finally {
    removeWorkspace(ws);
  }
  const warnings: string[] = [];
  const ids = new Set<string>();
  for (const o of report.outcomes) {
    if (o.key.startsWith("threshold:")) continue;
    const title = o.key.split(" › ").pop() ?? "";
    const id = rubricIdOf(title, kit.rubric);
    if (id === null)
      warnings.push(`Hidden test "${o.key}" scores nothing: its title does not start with a rubric test id.`);
    else ids.add(id);
    if (o.status !== "passed" && o.status !== "skipped")
      warnings.push(`The reference solution fails hidden test "${o.key}": ${o.message.split("\n")[0]}`);
  }
  const unmatched = kit.rubric.tests.filter((t) => !ids.has(t.id)).map((t) => t.id);
  if (unmatched.length > 0)
    throw new Error(
      `Cannot grade lab "${kit.rubric.lab}": no hidden test's title starts with the rubric id of ${unmatched.join(", ")} (rubric.json tests vs ${path.join(kit.labDir, "tests")})`,
    );
  const figures: Record<string, number> = {};
  for (const th of kit.rubric.thresholds) {
    const o = report.outcomes.find((x) => x.key === `threshold:${th.id}`);
    const sc = o?.scenario;
    if (sc !== undefined && sc.ok && sc.audit.length === 0 && sc.value !== null) figures[th.id] = sc.value;
    else
      warnings.push(
        `Threshold ${th.id} (${th.scenario}) cannot be scored: it does not run correctly on the reference solution: ${
          sc === undefined
            ? (o?.message ?? "it did not run")
            : ([...sc.failures, ...sc.audit][0] ?? `no figure "${th.figure}"`)
        }`,
      );
  }
  return { plan: planOf(report.outcomes.filter((o) => !o.key.endsWith("› (loading)"))), figures, warnings };
}

function request(kit: Kit, workspace: string, seed: number) {
  const scenarios: ScenarioJob[] = kit.rubric.thresholds.map((t) => ({
    id: t.id,
    file: path.join(kit.cacheDir, "thresholds", t.scenario),
    figure: t.figure,
  }));
  const limits = kit.rubric.limits;
  return {
    kit: kit.cacheDir,
    workspace,
    studentFiles: kit.rubric.studentFiles,
    testFiles: kit.testFiles,
    scenarios,
    stepBudget: limits.stepBudget,
    testMs: limits.testSeconds * 1000,
    seed,
  };
}

function limitsOf(kit: Kit): RunLimits {
  const l = kit.rubric.limits;
  return { unitMs: l.testSeconds * 1000, wallMs: l.wallSeconds * 1000, memoryMb: l.memoryMb };
}
