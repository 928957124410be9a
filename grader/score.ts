// Stage 4, score: turning what ran into points, by the rubric alone. A pure
// function of its inputs, so the same submission always scores the same.
//  - A rubric test passes when every hidden test carrying its id passed; a
//    test whose dependsOn did not pass scores 0 ("depends on A1").
//  - A threshold scores like the CMU malloc lab's throughput: full credit at
//    or below the reference's figure, 0 at or beyond "worst", linear in
//    between; only when its scenario ran correctly (ok, audit empty).
//  - A part whose student file is missing scores 0; so does one whose file
//    does not compile or load (_unusable.ts: the other parts are graded with
//    the reference's version of that file).
//  - A flag of the integrity check costs what the rubric's "integrity" says:
//    the tests of every part that needs the flagged file ("zero-tests"),
//    their thresholds too ("zero-part"), or nothing ("report-only").
//  - Every test and threshold counts toward its part (_points.ts partTotals),
//    and the parts add up to the score.
// An item's output is what it says when shown in full; who sees it in full
// is visibility.ts's rule, applied by the views.

import { partTotals, round, thresholdCredit } from "./_points";
import { partsLost, unusableFiles, unusableSentence } from "./_unusable";
import type { Difference } from "./difference/difference";
import { hintOf } from "./difference/describe";
import { formatFlag } from "./integrity";
import { rubricIdOf } from "./rubric";
import {
  Intake,
  IntegrityFlag,
  Rubric,
  RubricThreshold,
  ScoredItem,
  SubmissionResult,
  UnitOutcome,
  UnusableFile,
  Workspace,
} from "./model";
import { scenarioKey } from "./protocol";
import type { IsolationLayer } from "./sandbox/isolation";
import { formatDiagnostic } from "./typecheck";
import { notShownSentence } from "./_diagnostics";

export interface ScoreInput {
  readonly rubric: Rubric;
  readonly intake: Intake;
  /** Compiler findings; null when no workspace was built (the submission could not be read). */
  readonly workspace:
    | (Pick<Workspace, "syntaxErrors" | "typeErrors"> &
        Partial<Pick<Workspace, "flags" | "notCompiled" | "notTypeChecked" | "notShown">>)
    | null;
  readonly outcomes: readonly UnitOutcome[];
  /** Each threshold's figure on the reference solution, by threshold id. */
  readonly reference: Readonly<Record<string, number>>;
  readonly meta: { readonly graderVersion: string; readonly seed: number; readonly isolation?: IsolationLayer };
  readonly timing: SubmissionResult["timing"];
  /** Student files that failed to load in the engine (the run's report). */
  readonly notLoaded?: readonly { readonly file: string; readonly message: string }[];
  /** Whether each part ran with the reference's other parts (the kit has a reference copy of the edit points). */
  readonly isolatesParts?: boolean;
}

/** Scores one submission. */
export function score(input: ScoreInput): SubmissionResult {
  const { rubric, intake } = input;
  const blocked = blockedParts(input);
  const flagged = flaggedParts(input);
  const own = ownResults(input);
  const items: ScoredItem[] = [];
  const passed = new Map<string, boolean>();
  for (const t of rubric.tests) {
    const o = own.get(t.id)!;
    const failedDeps = t.dependsOn.filter((d) => passed.get(d) !== true);
    const block = blocked.get(t.part);
    const ok = o.passed && failedDeps.length === 0 && block === undefined;
    // a dependency counts as passed on its own merits: a flag costs its own part's tests, not another part's
    passed.set(t.id, ok);
    const flag = flagged.get(t.part);
    const scores = ok && flag === undefined;
    let output: string;
    if (block !== undefined) output = block;
    else if (failedDeps.length > 0) output = `depends on ${failedDeps.join(", ")}`;
    else if (ok && flag !== undefined) output = `Passed, but scores 0: ${flag}`;
    else output = o.passed ? "" : failureMessage(o.message, o.logs, hintOf(o.difference, t.hint, true));
    items.push({
      id: t.id,
      kind: "test",
      part: t.part,
      title: t.title,
      maxScore: t.points,
      score: scores ? t.points : 0,
      passed: scores,
      visibility: t.visibility,
      output,
      // a hint names the cause only when the test failed on its own account
      ...(!o.passed && block === undefined && failedDeps.length === 0
        ? { hint: t.hint, ...(o.difference !== undefined ? { difference: o.difference } : {}) }
        : {}),
      detail: scores
        ? ""
        : [output, o.message, o.logs && `It printed:\n${o.logs}`].filter((x) => x !== "").join("\n\n"),
    });
  }
  for (const th of rubric.thresholds) {
    const item = scoreThreshold(th, input, blocked.get(th.part));
    const flag = rubric.integrity.flagged === "zero-part" ? flagged.get(th.part) : undefined;
    items.push(
      flag === undefined || item.score === 0
        ? item
        : { ...item, score: 0, passed: false, output: `Scores 0: ${flag}`, detail: `${flag}\n${item.detail}` },
    );
  }
  const parts = partTotals(rubric.parts, items);
  const ws = input.workspace;
  const unusable = unusableOf(input);
  return {
    id: intake.source.id,
    source: intake.source.path,
    status: "graded",
    lab: rubric.lab,
    labVersion: rubric.version,
    graderVersion: input.meta.graderVersion,
    seed: input.meta.seed,
    // every item belongs to a part (rubric.ts checks it): the parts add up to the score
    score: round(sum(parts.map((p) => p.score))),
    maxScore: round(sum(parts.map((p) => p.maxScore))),
    parts,
    items,
    problems: problemsOf(input),
    typeErrors: ws?.typeErrors ?? [],
    flags: ws?.flags ?? [],
    ...(unusable.length > 0 ? { unusable } : {}),
    ...(input.meta.isolation !== undefined ? { isolation: input.meta.isolation } : {}),
    timing: input.timing,
  };
}

// The parts a flag of the integrity check costs, with the sentence a zeroed item shows.
function flaggedParts(input: ScoreInput): Map<string, string> {
  const out = new Map<string, string>();
  const flags = input.workspace?.flags ?? [];
  if (flags.length === 0 || input.rubric.integrity.flagged === "report-only") return out;
  const files = new Set(flags.map((f) => f.file));
  for (const p of input.rubric.parts) {
    const mine = p.files.filter((f) => files.has(f));
    if (mine.length > 0)
      out.set(p.id, `the integrity check flagged ${mine.join(" and ")} (the flags are listed with your results).`);
  }
  return out;
}

/** The sentence that heads a submission's integrity flags, saying what they cost. */
export function integrityHeading(rubric: Rubric, flags: readonly IntegrityFlag[]): string {
  const files = new Set(flags.map((f) => f.file));
  const parts = rubric.parts.filter((p) => p.files.some((f) => files.has(f))).map((p) => p.id);
  const cost =
    rubric.integrity.flagged === "report-only" || parts.length === 0
      ? "they cost no points, but your instructor will read them"
      : rubric.integrity.flagged === "zero-part"
        ? `part ${parts.join(", ")} scores 0, thresholds included`
        : `the tests of part ${parts.join(", ")} score 0`;
  return `The integrity check flagged your code (${cost}). The lab's files may use only what "./defs" gives them:`;
}

interface OwnResult {
  readonly passed: boolean;
  /** The failure messages (may hold expected values). */
  readonly message: string;
  readonly logs: string;
  /** Where the first failed run differed from the reference kernel, when the worker could tell. */
  readonly difference?: Difference;
}

// Each rubric test's own result: every hidden test with its id passed.
function ownResults(input: ScoreInput): Map<string, OwnResult> {
  const groups = new Map<string, UnitOutcome[]>(input.rubric.tests.map((t) => [t.id, []]));
  for (const o of input.outcomes) {
    if (o.key.startsWith("threshold:")) continue;
    const title = o.key.split(" › ").pop() ?? "";
    const id = rubricIdOf(title, input.rubric);
    if (id !== null) groups.get(id)!.push(o);
  }
  const out = new Map<string, OwnResult>();
  for (const [id, outs] of groups) {
    // a test the suite skips (test.skip) counts for nothing, as under Jest
    const failed = outs.filter((o) => o.status !== "passed" && o.status !== "skipped");
    out.set(id, {
      passed: outs.some((o) => o.status === "passed") && failed.length === 0,
      message:
        outs.length === 0
          ? "This test did not run."
          : failed
              .map((o) => `${o.key.split(" › ").slice(1).join(" › ")}:\n${o.message || `Status: ${o.status}.`}`)
              .join("\n\n"),
      logs: failed.map((o) => o.logs).join(""),
      ...differenceOf(failed),
    });
  }
  return out;
}

// The difference of the first failed run that has one, as a field.
function differenceOf(failed: readonly UnitOutcome[]): { difference?: Difference } {
  const d = failed.find((o) => o.difference !== undefined)?.difference;
  return d === undefined ? {} : { difference: d };
}

// What a failed test says when shown in full: its messages, what the code printed, the hint.
function failureMessage(message: string, logs: string, hint: string): string {
  const hintLine = hint === "" ? "" : `Hint: ${hint}`;
  const printed = logs === "" ? "" : `Your code printed:\n${logs}`;
  return [message, printed, hintLine].filter((x) => x !== "").join("\n\n");
}

// Parts that cannot score: the submission unreadable, not compiling, or missing a file the part needs.
function blockedParts(input: ScoreInput): Map<string, string> {
  const out = new Map<string, string>();
  const notCompiled = input.workspace?.notCompiled;
  const lost = partsLost(unusableOf(input));
  for (const p of input.rubric.parts) {
    if (input.intake.error !== undefined) out.set(p.id, `Not graded: ${input.intake.error}`);
    else if (notCompiled !== undefined) out.set(p.id, `Not graded: ${notCompiled}`);
    else if (lost.has(p.id)) out.set(p.id, lost.get(p.id)!);
    else {
      const missing = p.files.filter((f) => input.intake.missing.includes(f));
      if (missing.length > 0) out.set(p.id, `Not graded: ${missing.map(missingSentence).join(" ")}`);
    }
  }
  return out;
}

function missingSentence(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  return `Your submission has no ${base}; it is expected at ${file}.`;
}

// The student files that did not compile or load, and what each cost.
function unusableOf(input: ScoreInput): UnusableFile[] {
  return unusableFiles({
    rubric: input.rubric,
    syntaxErrors: input.workspace?.syntaxErrors ?? [],
    notLoaded: input.notLoaded ?? [],
    isolatesParts: input.isolatesParts === true,
  });
}

function scoreThreshold(th: RubricThreshold, input: ScoreInput, block: string | undefined): ScoredItem {
  const reference = input.reference[th.id];
  const o = input.outcomes.find((x) => x.key === scenarioKey(th.id));
  const base = {
    id: th.id,
    kind: "threshold" as const,
    part: th.part,
    title: th.title,
    maxScore: th.points,
    visibility: th.visibility,
  };
  const hintText = hintOf(o?.difference, th.hint, true);
  const hint = hintText === "" ? "" : `\nHint: ${hintText}`;
  const own = { hint: th.hint, ...(o?.difference !== undefined ? { difference: o.difference } : {}) };
  const zero = (output: string, detail: string, measured: number | null): ScoredItem => ({
    ...base,
    score: 0,
    passed: false,
    output,
    detail,
    ...(reference !== undefined ? { figure: { figure: th.figure, measured, reference, worst: th.worst } } : {}),
  });
  if (block !== undefined) return zero(block, block, null);
  if (reference === undefined)
    return zero(
      "Not graded (a problem of the grader, not of your code).",
      "No reference figure: the reference solution's run of this scenario failed.",
      null,
    );
  const sc = o?.scenario;
  if (o === undefined || sc === undefined || !sc.ok || sc.audit.length > 0 || sc.value === null) {
    const why =
      o === undefined ? ["The scenario did not run."] : sc === undefined ? [o.message] : [...sc.failures, ...sc.audit];
    const shown = why.slice(0, 3).join("\n");
    const output = `The scenario did not run correctly on your kernel, so its figure does not count:\n${shown}${hint}`;
    return { ...zero(output, why.join("\n"), sc?.value ?? null), ...own };
  }
  const m = sc.value;
  const got = thresholdCredit(th.points, m, reference, th.worst);
  const figure = { figure: th.figure, measured: m, reference, worst: th.worst };
  const text = `${th.figure} = ${m}; full credit at ${reference} or less, none at ${th.worst} or more.`;
  const output = got === th.points ? "" : `${text}${hint}`;
  return {
    ...base,
    score: got,
    passed: got === th.points,
    output,
    detail: text,
    figure,
    ...(got === th.points ? {} : own),
  };
}

function problemsOf(input: ScoreInput): string[] {
  const out: string[] = [...input.intake.notes.filter((n) => n !== input.intake.error)];
  if (input.intake.error !== undefined) out.unshift(input.intake.error);
  for (const f of input.intake.missing) if (input.intake.error === undefined) out.push(missingSentence(f));
  const ws = input.workspace;
  if (ws?.notCompiled !== undefined) out.push(ws.notCompiled);
  out.push(...unusableOf(input).map(unusableSentence));
  if (ws !== null && ws.typeErrors.length > 0)
    out.push(
      [
        "TypeScript finds type errors (the tests ran anyway):",
        ...ws.typeErrors.map(formatDiagnostic),
        notShownSentence(ws.notShown?.type ?? 0, "type error"),
      ]
        .filter((line) => line !== "")
        .join("\n"),
    );
  if (ws !== null && (ws.notShown?.syntax ?? 0) > 0)
    out.push(`Syntax errors: ${notShownSentence(ws.notShown!.syntax, "syntax error")}`);
  if (ws?.notTypeChecked !== undefined) out.push(ws.notTypeChecked);
  const flags = ws?.flags ?? [];
  if (flags.length > 0)
    out.push([integrityHeading(input.rubric, flags), ...flags.map((f) => `  ${formatFlag(f)}`)].join("\n"));
  return out;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export { round } from "./_points";

/** What a student reads when the grader failed on their submission: `stage` is "scoring", "writing your report"... */
export function graderErrorSentence(stage: string): string {
  return `Grader error: the grader failed while ${stage} — this is not your fault; your instructor has been told.`;
}

/** The result of a submission the grader itself failed on: every item 0, the cause for the instructor. */
export function graderErrorResult(
  input: Omit<ScoreInput, "workspace" | "outcomes" | "reference">,
  error: string,
  stage = "grading your submission",
): SubmissionResult {
  const r = score({ ...input, workspace: null, outcomes: [], reference: {} });
  const output = `Not graded. ${graderErrorSentence(stage)}`;
  const items = r.items.map((i) => ({ ...i, score: 0, passed: false, output, detail: error }));
  return {
    ...r,
    status: "grader-error",
    score: 0,
    parts: partTotals(input.rubric.parts, items),
    items,
    problems: [graderErrorSentence(stage), ...r.problems],
    graderError: error,
  };
}

/** A graded result whose later stage (its report) failed: the scores stand, the failure is told. */
export function withGraderError(r: SubmissionResult, error: string, stage: string): SubmissionResult {
  return {
    ...r,
    status: "grader-error",
    problems: [`${graderErrorSentence(stage)} Your score above stands.`, ...r.problems],
    graderError: error,
  };
}
