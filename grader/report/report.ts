// Stage 5c, the reports people read: each student's report.html and
// report.md (with pictures of what their kernel did differently from the
// reference), the instructor's view of the same, instructor.html (every
// item in full, hidden ones included), and the class's summary.html (the
// instructor's too). What each reader sees of an item is visibility.ts's
// rule. The grader calls prepareTemplates() before grading (a broken
// template stops the batch before it starts) and writeReports() once the
// batch is graded.

import path from "node:path";
import { writeAtomic } from "../_atomic";
import { faultPoint } from "../_fault";
import { NOT_COMPILED } from "../compile";
import { readSubmission } from "../intake";
import { Kit } from "../kit";
import { BatchSummary, Rubric, SubmissionResult, SubmissionSource } from "../model";
import { Audience, INSTRUCTOR, STUDENT } from "../visibility";
import { runRequestOf } from "../request";
import type { IsolationLayer } from "../sandbox/isolation";
import { createWorkspace, removeWorkspace } from "../workspace";
import { FailurePicture, PictureProblem, itemsToPicture, pictureScenarios, picturesFor } from "./pictures";
import { TemplateSet, loadTemplates } from "./templates";
import { HTML, INSTRUCTOR_REPORT, MARKDOWN, ReportInput, reportView, summaryView } from "./viewmodel";
import { SAMPLE_RUBRIC, brokenResult, perfectResult, samplePicture, sampleSummary, troubledResult } from "./_samples";

/**
 * Loads the report templates (the kit's, with `overrides` replacing any by
 * file name) and renders each with sample results that use every field and
 * branch: a mistake throws a TemplateError naming the file and line now,
 * not after a class has been graded.
 */
export function prepareTemplates(overrides?: string): TemplateSet {
  const templates = loadTemplates(overrides === undefined ? {} : { overrides });
  const troubled = troubledResult();
  const perfect = perfectResult();
  const broken = brokenResult();
  const reports: ReportInput[] = [
    { result: troubled, rubric: SAMPLE_RUBRIC, pictures: [samplePicture("A1"), samplePicture("T1")] },
    {
      result: troubled,
      rubric: SAMPLE_RUBRIC,
      pictures: [samplePicture("B2")],
      audience: { kind: "student", moment: "after-due-date" },
    },
    { result: perfect, rubric: SAMPLE_RUBRIC },
    { result: broken, rubric: { ...SAMPLE_RUBRIC, thresholds: [] } },
  ];
  for (const input of reports) renderReport(input, templates);
  renderSummary(sampleSummary([troubled, perfect, broken]), [troubled, perfect, broken], SAMPLE_RUBRIC, templates);
  renderSummary(
    { ...sampleSummary([perfect]), warnings: [] },
    [perfect],
    { ...SAMPLE_RUBRIC, thresholds: [] },
    templates,
  );
  return templates;
}

/** One student's report, as HTML and as Markdown, for `input.audience` (a student's by default); and the instructor's view. */
export function renderReport(
  input: ReportInput,
  templates: TemplateSet,
): { html: string; md: string; instructorHtml: string } {
  return {
    html: templates.render("report.html", reportView(input, HTML)),
    md: templates.render("report.md", reportView(input, MARKDOWN)),
    instructorHtml: templates.render("report.html", reportView({ ...input, audience: INSTRUCTOR }, HTML)),
  };
}

/** The class summary page. */
export function renderSummary(
  summary: BatchSummary,
  results: readonly SubmissionResult[],
  rubric: Rubric,
  templates: TemplateSet,
): string {
  return templates.render("summary.html", summaryView(summary, results, rubric, HTML));
}

/** A graded batch, as the grader has it. */
export interface GradedBatch {
  readonly kit: Kit;
  readonly sources: readonly SubmissionSource[];
  readonly results: readonly SubmissionResult[];
  readonly summary: BatchSummary;
}

export interface WriteOptions {
  /** The batch's output folder: <out>/<id>/report.html and report.md, <out>/summary.html. */
  readonly out: string;
  readonly templates: TemplateSet;
  /** Submissions whose pictures are drawn at once (each in a process of its own). */
  readonly jobs?: number;
  /** Draw pictures of failed tests (default true). */
  readonly pictures?: boolean;
  /** The layer the picture child runs the submission's code under (default "none"; gradeBatch says). */
  readonly isolation?: IsolationLayer;
  /** Who the students' reports are for (default: a student before the due date); instructor.html shows everything. */
  readonly audience?: Audience;
}

/**
 * Writes every student's report and the class summary. A picture that
 * cannot be drawn is left out (the reasons come back, for the instructor);
 * a report that cannot be written (a bug of the grader's) is named in
 * `failed`, and the others are still written.
 */
export async function writeReports(
  batch: GradedBatch,
  options: WriteOptions,
): Promise<{ problems: string[]; failed: { id: string; error: string }[] }> {
  const { kit } = batch;
  const scenarios = pictureScenarios(kit.labDir, kit.rubric);
  const problems: string[] = [];
  const failed: { id: string; error: string }[] = [];
  const one = async (result: SubmissionResult): Promise<void> => {
    let pictures: FailurePicture[] = [];
    if (options.pictures !== false && itemsToPicture(result, scenarios).length > 0) {
      const source = batch.sources.find((s) => s.id === result.id);
      const drawn =
        source === undefined ? null : await drawPictures(kit, source, result, scenarios, options.isolation ?? "none");
      pictures = drawn?.pictures ?? [];
      for (const p of drawn?.problems ?? []) problems.push(`${result.id}: no picture for ${p.itemId}: ${p.why}`);
    }
    try {
      faultPoint("report", result.id);
      const audience = options.audience ?? STUDENT;
      const { html, md, instructorHtml } = renderReport(
        { result, rubric: kit.rubric, pictures, audience },
        options.templates,
      );
      const dir = path.join(options.out, result.id);
      writeAtomic(path.join(dir, "report.html"), html);
      writeAtomic(path.join(dir, "report.md"), md);
      writeAtomic(path.join(dir, INSTRUCTOR_REPORT), instructorHtml);
    } catch (e) {
      failed.push({ id: result.id, error: `${result.id}: ${(e as Error).stack ?? String(e)}` });
    }
  };
  const queue = [...batch.results];
  const lane = async (): Promise<void> => {
    for (let r = queue.shift(); r !== undefined; r = queue.shift()) await one(r);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 2, queue.length)) }, lane));
  writeAtomic(
    path.join(options.out, "summary.html"),
    renderSummary(batch.summary, batch.results, kit.rubric, options.templates),
  );
  return { problems, failed };
}

// The submission is read again and put in a workspace of its own, so that
// its pictures need nothing of the grading run but its result.
async function drawPictures(
  kit: Kit,
  source: SubmissionSource,
  result: SubmissionResult,
  scenarios: ReadonlyMap<string, readonly string[]>,
  isolation: IsolationLayer,
): Promise<{ pictures: FailurePicture[]; problems: PictureProblem[] }> {
  const fail = (why: string) => ({
    pictures: [],
    problems: itemsToPicture(result, scenarios).map((i) => ({ itemId: i.id, why })),
  });
  // files that hung or crashed the grader's compiler are not compiled again here, in the grader's process
  if (result.problems.some((p) => p.startsWith(NOT_COMPILED))) return fail("the submission could not be compiled");
  try {
    faultPoint("picture", result.id);
    const intake = await readSubmission(source, kit.rubric.studentFiles);
    if (intake.error !== undefined) return fail(intake.error);
    const ws = createWorkspace(kit, intake);
    try {
      if (ws.syntaxErrors.length > 0) return fail("the submission does not compile");
      const limits = kit.rubric.limits;
      const req = runRequestOf(kit, ws.dir, 1);
      return await picturesFor(result, kit.rubric, {
        labDir: kit.labDir,
        scenarios,
        run: {
          kit: kit.cacheDir,
          files: req.files,
          engine: req.engine,
          studentFiles: kit.rubric.studentFiles,
          stepBudget: limits.stepBudget,
          timeoutMs: Math.min(limits.wallSeconds, 4 * limits.testSeconds) * 1000,
          memoryMb: limits.memoryMb,
          isolation,
        },
      });
    } finally {
      removeWorkspace(ws);
    }
  } catch (e) {
    return fail((e as Error).message);
  }
}
