// Grading a batch: the stages in order for each submission (intake ->
// workspace -> run -> score -> report), several submissions at a time.
// Before the class, the reference solution goes through the same run once:
// that gives the plan (every hidden test by name), the reference's figure
// for each threshold, and warnings when the rubric and the suites disagree.
//
// Nothing is lost: each submission's files are written whole (aside, then
// renamed) as soon as it is graded, details.json last with the key it was
// graded under. Run the same command again after a crash or a kill, and a
// submission whose key is unchanged (the same files, the same grader, kit,
// hidden suites, rubric and seed) is taken from its details.json instead of
// being graded again; a resubmission or a changed hidden test is graded
// afresh, and --force grades everything. The class summary is rebuilt from
// every result, old and new, at the end. A bug of the grader's on one
// submission is told in that submission's result as the grader's failure,
// and the batch goes on.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../labs/lab";
import { writeAtomic } from "./_atomic";
import { unusableFiles } from "./_unusable";
import { faultPoint } from "./_fault";
import { Reaper } from "./_reaper";
import { Compiler } from "./compile";
import { Discovery, discoverSubmissions } from "./discover";
import { intakeLimits, readSubmission, safeId } from "./intake";
import { Kit, KitOptions, prepareKit } from "./kit";
import {
  BatchSummary,
  DuplicateRule,
  Intake,
  RunReport,
  SubmissionResult,
  SubmissionSource,
  SubmissionTiming,
  Workspace,
} from "./model";
import { RunPlanUnit, partOfUnit, planOf } from "./plan";
import { WorkerPool } from "./pool";
import { gradescopeResults } from "./results";
import { rubricIdOf } from "./rubric";
import { IsolationLayer, chooseIsolation } from "./sandbox/isolation";
import type { TemplateSet } from "./report/templates";
import { runRequestOf } from "./request";
import { RunLimits, runSubmission } from "./run";
import { graderErrorResult, score, withGraderError } from "./score";
import { summarize, writeSummary } from "./summary";
import { GRADER_VERSION } from "./version";
import type { Audience } from "./visibility";
import { buildWorkspace, createWorkspace, removeWorkspace } from "./workspace";

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
  /** Every entry of the paths, graded or not and why, before grading starts. */
  | { readonly type: "discovered"; readonly discovery: Discovery }
  | { readonly type: "baseline"; readonly warnings: readonly string[] }
  | {
      readonly type: "graded";
      readonly result: SubmissionResult;
      readonly done: number;
      readonly total: number;
      /** Finished by an earlier run of the same batch, and not graded again. */
      readonly resumed: boolean;
    };

export interface GradeOptions extends KitOptions {
  readonly lab: string;
  /** Output folder: <out>/<id>/results.json, summary.json, grades.csv, summary.html. */
  readonly out: string;
  /** Submissions graded at once (default: the machine's cores). */
  readonly jobs?: number;
  /** Seeds Math.random in the tests (default 1). */
  readonly seed?: number;
  /**
   * The operating-system layer student code runs under (sandbox/isolation.ts);
   * default the strongest that works here. With none working, the batch is
   * refused unless "none" is asked for.
   */
  readonly isolation?: IsolationLayer;
  /** Each path is one submission, whatever it holds (Gradescope's submission folder). */
  readonly asOneSubmission?: boolean;
  /** A baseline computed earlier (the Gradescope autograder ships one); default: run the reference. */
  readonly baseline?: Baseline;
  readonly onEvent?: (e: GradeEvent) => void;
  /** The report templates (report/report.ts prepareTemplates); default: the kit's. */
  readonly templates?: TemplateSet;
  /**
   * Grade every submission, even those an earlier run into the same output
   * folder finished (same content, same grader and lab); default false: those
   * are taken from their details.json.
   */
  readonly force?: boolean;
  /** What to do with two entries that give the same id (default "error": stop, naming both). */
  readonly onDuplicate?: DuplicateRule;
  /**
   * Write the HTML and Markdown reports (default true). The Gradescope
   * autograder writes results.json alone: its bundle leaves the reports out,
   * for they draw with the reference kernel, which it must not ship.
   */
  readonly reports?: boolean;
  /** Who the students' reports are for (default: a student before the due date; visibility.ts). */
  readonly audience?: Audience;
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
  /** Ids of the submissions an earlier run had finished (not graded again). */
  readonly resumed: readonly string[];
  readonly timing: BatchTiming;
}

/** Grades every submission the paths name; throws only for the instructor's mistakes (a path, the rubric). */
export async function gradeBatch(paths: readonly string[], options: GradeOptions): Promise<BatchOutcome> {
  const t0 = performance.now();
  const isolation = chooseIsolation(options.isolation);
  // loaded only when reports are wanted (a dynamic import, so the autograder's bundle leaves it out)
  const report = options.reports === false ? null : await import("./report/report");
  const templates = report === null ? null : (options.templates ?? report.prepareTemplates());
  const kit = prepareKit(options.lab, options);
  const discovery = options.asOneSubmission
    ? oneEach(paths)
    : await discoverSubmissions(paths, kit.rubric.studentFiles, {
        ...(options.onDuplicate !== undefined ? { onDuplicate: options.onDuplicate } : {}),
      });
  const sources = discovery.sources;
  options.onEvent?.({ type: "discovered", discovery });
  const jobs = Math.max(1, options.jobs ?? os.availableParallelism());
  const seed = options.seed ?? 1;
  removeStaleTemporaries(options.out, sources);
  const prepareMs = performance.now() - t0;
  const limits = kit.rubric.limits;
  const reaper = new Reaper(path.join(kit.cacheDir, "worker", "_reaper.js"));
  const pool = new WorkerPool({
    entry: kit.workerEntry,
    memoryMb: limits.memoryMb,
    warm: jobs,
    expected: sources.length + (options.baseline === undefined ? 1 : 0), // each submission, and the reference's run
    reaper,
    isolation,
    read: [kit.cacheDir],
  });
  const compiler = new Compiler({
    entry: path.join(kit.cacheDir, "worker", "_compile-child.js"),
    project: path.dirname(kit.kitSrc),
    studentFiles: kit.rubric.studentFiles,
    cpuMs: limits.compileSeconds * 1000,
    checkers: jobs, // one per lane: a submission whose type check runs long holds only its own
    memoryMb: Math.max(1024, limits.memoryMb),
    isolation, // the checkers read student files: under the same layer as the workers
    reaper,
  });
  try {
    const t1 = performance.now();
    // while the reference runs in a worker, the checkers parse the kit
    void compiler.warm();
    const baseline = options.baseline ?? (await establishBaseline(kit, pool, seed));
    const baselineMs = performance.now() - t1;
    options.onEvent?.({ type: "baseline", warnings: baseline.warnings });
    const batchKey = batchKeyOf(kit, seed, options.baseline, isolation);
    const results: SubmissionResult[] = [];
    const resumed: string[] = [];
    const meta = {
      graderVersion: GRADER_VERSION,
      seed,
      warnings: [...discovery.warnings, ...baseline.warnings],
      entries: discovery.entries,
      isolation,
    };
    let startupMs = 0;
    let testMs = 0;
    const gradeOne = async (source: SubmissionSource): Promise<void> => {
      const dir = path.join(options.out, source.id);
      let result: SubmissionResult;
      let earlier: SubmissionResult | null = null;
      try {
        const intake = await readSubmission(source, kit.rubric.studentFiles, intakeLimits(limits));
        const key = finishKey(batchKey, kit, intake);
        earlier = options.force === true ? null : readFinished(dir, key);
        if (earlier !== null) {
          result = earlier;
          resumed.push(source.id);
        } else {
          result = await gradeIntake(kit, intake, { pool, baseline, compiler, seed, isolation });
          startupMs += result.timing.startupMs;
          testMs += result.timing.testMs;
          writeResult(dir, result, result.status === "graded" ? key : null);
        }
      } catch (e) {
        // the intake never fails for anything in a submission: this is a bug of ours
        const intake = { source, files: [], missing: [...kit.rubric.studentFiles], notes: [] };
        const why = `${source.id}: ${(e as Error).stack ?? String(e)}`;
        const timing = { totalMs: 0, startupMs: 0, testMs: 0 };
        result = graderErrorResult({ rubric: kit.rubric, intake, meta, timing }, why, "reading your submission");
        writeResult(dir, result, null);
      }
      results.push(result);
      writeSummary(options.out, summarize(kit.rubric, results, meta));
      options.onEvent?.({
        type: "graded",
        result,
        done: results.length,
        total: sources.length,
        resumed: earlier !== null,
      });
    };
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < sources.length) await gradeOne(sources[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(jobs, sources.length) }, lane));
    compiler.close();
    let summary = summarize(kit.rubric, results, meta);
    writeSummary(options.out, summary);
    const t2 = performance.now();
    if (report !== null && templates !== null) {
      const written = await report.writeReports(
        { kit, sources, results, summary },
        {
          out: options.out,
          templates,
          jobs,
          isolation,
          ...(options.audience !== undefined ? { audience: options.audience } : {}),
        },
      );
      // why a student got no picture is the instructor's to know: the summary's warnings, never a student's view
      meta.warnings.push(...[...written.problems].sort());
      if (written.failed.length > 0 || written.problems.length > 0) {
        // a report the grader could not write is its own failure, told in that submission's results
        for (const f of written.failed) {
          const i = results.findIndex((r) => r.id === f.id);
          results[i] = withGraderError(results[i]!, f.error, "writing your report");
          writeResult(path.join(options.out, f.id), results[i]!, null);
        }
        summary = summarize(kit.rubric, results, meta);
        writeSummary(options.out, summary);
        writeAtomic(
          path.join(options.out, "summary.html"),
          report.renderSummary(summary, results, kit.rubric, templates),
        );
      }
    }
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
    return { summary, results, resumed, timing };
  } finally {
    compiler.close();
    pool.close();
    reaper.close();
  }
}

interface Shared {
  readonly isolation?: IsolationLayer;
  readonly pool: WorkerPool;
  readonly baseline: Baseline;
  readonly compiler: Compiler;
  readonly seed: number;
}

/**
 * One submission through every stage after intake; a failure of the grader
 * itself (a bug of ours) becomes a "grader-error" result, told as such.
 */
export async function gradeIntake(kit: Kit, intake: Intake, shared: Shared): Promise<SubmissionResult> {
  const t0 = performance.now();
  const meta = {
    graderVersion: GRADER_VERSION,
    seed: shared.seed,
    ...(shared.isolation !== undefined ? { isolation: shared.isolation } : {}),
  };
  let checkCpuMs: number | undefined;
  const timing = (report: RunReport | null): SubmissionTiming => ({
    totalMs: performance.now() - t0,
    startupMs: report?.startupMs ?? 0,
    testMs: report?.testMs ?? 0,
    ...(checkCpuMs !== undefined ? { checkCpuMs } : {}),
    ...(report?.engine !== undefined ? { engine: report.engine } : {}),
  });
  let stage = "reading your submission";
  try {
    if (intake.error !== undefined) {
      stage = "scoring your submission";
      faultPoint("score", intake.source.id);
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
    stage = "compiling your files";
    const ws = await buildWorkspace(kit, intake, shared.compiler);
    checkCpuMs = ws.checkCpuMs;
    try {
      stage = "running the tests";
      const run = runnable(kit, ws, shared.baseline.plan);
      const report =
        run === null
          ? null
          : await runSubmission(
              shared.pool,
              {
                ...runRequestOf(kit, ws.dir, shared.seed, run.uncompiled),
                skip: run.skip,
                referenceFigures: shared.baseline.figures,
                testDependsOn: Object.fromEntries(kit.rubric.tests.map((t) => [t.id, t.dependsOn])),
              },
              run.plan,
              limitsOf(kit),
            );
      stage = "scoring your submission";
      faultPoint("score", intake.source.id);
      return score({
        rubric: kit.rubric,
        intake,
        workspace: ws,
        outcomes: report?.outcomes ?? [],
        reference: shared.baseline.figures,
        meta,
        timing: timing(report),
        notLoaded: report?.notLoaded ?? [],
        isolatesParts: kit.reference !== null,
      });
    } finally {
      removeWorkspace(ws);
    }
  } catch (e) {
    const why = `${intake.source.id}: ${(e as Error).stack ?? String(e)}`;
    return graderErrorResult({ rubric: kit.rubric, intake, meta, timing: timing(null) }, why, stage);
  }
}

/**
 * What of a submission can run: nothing when its files could not be
 * compiled at all, or when the files with syntax errors cost every part
 * (_unusable.ts); else the plan without the units of the parts they cost,
 * which the worker skips, and those files, sent as empty modules (the
 * other parts run with the reference's edit points in their place).
 */
function runnable(
  kit: Kit,
  ws: Workspace,
  plan: readonly RunPlanUnit[],
): { plan: RunPlanUnit[]; skip: string[]; uncompiled: string[] } | null {
  if (ws.notCompiled !== undefined) return null;
  const rubric = kit.rubric;
  const unusable = unusableFiles({
    rubric,
    syntaxErrors: ws.syntaxErrors,
    notLoaded: [],
    isolatesParts: kit.reference !== null,
  });
  const lost = new Set(unusable.flatMap((u) => u.zeroed));
  if (lost.size === rubric.parts.length) return null;
  const skip = plan.filter((u) => lost.has(partOfUnit(u, rubric) ?? "")).map((u) => u.key);
  return { plan: plan.filter((u) => !skip.includes(u.key)), skip, uncompiled: unusable.map((u) => u.file) };
}

// --- losing nothing: results written as each submission finishes, and resumed ---

/** What details.json holds besides the result: the key it was graded under (null: grade it again). */
interface Finished {
  readonly finishKey: string | null;
}

/**
 * The key of everything a result depends on apart from the submission: the
 * grader's version and the package's, the compiled kit (hidden suites,
 * threshold scenarios, the provided code, the worker), the rubric (its
 * version, points, thresholds, limits), the seed and the isolation layer
 * (a result never claims a layer it was not graded under).
 */
function batchKeyOf(kit: Kit, seed: number, baseline: Baseline | undefined, isolation: IsolationLayer): string {
  const h = createHash("sha256");
  h.update(`isolation ${isolation}\0`);
  h.update(`grader ${GRADER_VERSION}\0package ${packageVersion()}\0kit ${path.basename(kit.cacheDir)}\0`);
  h.update(`rubric ${JSON.stringify(kit.rubric)}\0seed ${seed}\0`);
  if (baseline !== undefined) h.update(`baseline ${JSON.stringify(baseline)}\0`);
  return h.digest("hex");
}

/** The batch's key with the submission's content: its student files' bytes (or that each was missing), and what the intake said. */
function finishKey(batchKey: string, kit: Kit, intake: Intake): string {
  const h = createHash("sha256").update(batchKey);
  const files = new Map(intake.files.map((f) => [f.path, f]));
  for (const rel of kit.rubric.studentFiles) {
    const f = files.get(rel);
    h.update(f === undefined ? `\0${rel} missing\0` : `\0${rel} at ${f.foundAt}\0${f.text}\0`);
  }
  h.update(`\0error ${intake.error ?? ""}\0notes ${JSON.stringify(intake.notes)}`);
  return h.digest("hex");
}

/** The result an earlier run wrote into `dir` under the same key, or null. */
function readFinished(dir: string, key: string): SubmissionResult | null {
  try {
    if (!existsSync(path.join(dir, "results.json"))) return null;
    const raw = JSON.parse(readFileSync(path.join(dir, "details.json"), "utf8")) as SubmissionResult & Finished;
    if (raw.finishKey !== key || raw.status !== "graded") return null;
    const { finishKey: _, ...result } = raw;
    void _;
    return result;
  } catch {
    return null;
  }
}

/**
 * Writes a submission's results.json, then its details.json, each whole
 * (written aside and renamed): details.json last, for it says the
 * submission is finished. A kill between the two leaves a submission that
 * the next run grades again.
 */
function writeResult(dir: string, result: SubmissionResult, key: string | null): void {
  writeAtomic(path.join(dir, "results.json"), JSON.stringify(gradescopeResults(result), null, 2) + "\n");
  const details: SubmissionResult & Finished = { ...result, finishKey: key };
  writeAtomic(path.join(dir, "details.json"), JSON.stringify(details, null, 2) + "\n");
}

// Each path as one submission, whatever it holds (Gradescope's submission folder).
function oneEach(paths: readonly string[]): Discovery {
  const sources = paths.map((p) => ({ id: safeId(path.basename(p)), path: path.resolve(p), kind: "folder" as const }));
  const entries = sources.map((s, i) => ({ entry: paths[i]!, status: "graded" as const, id: s.id }));
  return { sources, entries, warnings: [] };
}

// A file half written by a run that was killed (writeAtomic's ".<name>.<pid>.<n>.tmp") is removed.
function removeStaleTemporaries(out: string, sources: readonly SubmissionSource[]): void {
  for (const dir of [out, ...sources.map((s) => path.join(out, s.id))]) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name);
      if (m !== null && !alive(Number(m[1]))) rmSync(path.join(dir, name), { force: true });
    }
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

let version: string | null = null;

function packageVersion(): string {
  if (version === null) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version?: string };
      version = pkg.version ?? "";
    } catch {
      version = "";
    }
  }
  return version;
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
    report = await runSubmission(pool, runRequestOf(kit, ws.dir, seed), [], limitsOf(kit));
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
    if ((o.steps ?? 0) > kit.rubric.limits.engineSteps / 10)
      warnings.push(
        `The reference solution takes ${o.steps} engine steps in hidden test "${o.key}", more than a tenth of the rubric's limits.engineSteps (${kit.rubric.limits.engineSteps}): a correct but slower submission may run out; raise the limit.`,
      );
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

function limitsOf(kit: Kit): RunLimits {
  const l = kit.rubric.limits;
  return { unitMs: l.testSeconds * 1000, wallMs: l.wallSeconds * 1000, memoryMb: l.memoryMb };
}
