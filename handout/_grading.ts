// The handout's grading tables, made from the rubric (never typed by hand):
// points per part (grader/_points.ts, as every report totals them), the
// tests by part (hidden ones only as a count and their points), the
// thresholds with the reference kernel's own figure, a worked example of
// the threshold formula (the grader's own), and what students see of each
// kind of item (grader/visibility.ts, the rule the reports follow).

import path from "node:path";
import { rubricParts, thresholdCredit } from "../grader/_points";
import { Rubric, RubricThreshold, Visibility } from "../grader/model";
import { firstShown } from "../grader/visibility";
import { figureOf } from "../grader/protocol";
import { loadScenario } from "../solution/src/scenario/parse";
import { ScenarioResult, runScenario } from "../solution/src/scenario/run";

export interface PartPoints {
  readonly id: string;
  readonly title: string;
  readonly tests: string; // points from tests
  readonly thresholds: string; // points from thresholds
  readonly points: string;
}

export interface TestRow {
  readonly part: string;
  readonly title: string;
  readonly points: string;
}

export interface ThresholdRow {
  readonly part: string;
  readonly title: string;
  readonly scenario: string;
  /** The counter or process figure measured, e.g. "framesCopied" or "C.minorFaults". */
  readonly figure: string;
  readonly reference: string;
  readonly worst: string;
  readonly points: string;
}

export interface CreditExample {
  readonly title: string;
  readonly points: string;
  readonly reference: string;
  readonly worst: string;
  readonly measured: string;
  readonly credit: string;
}

/** What students see of the items of one visibility, as a sentence; only visibilities the rubric uses. */
export interface SeenRow {
  readonly text: string;
}

export interface GradingView {
  readonly parts: readonly PartPoints[];
  /** What students see of each kind of item the rubric has (visible, hidden...), one sentence each. */
  readonly seen: readonly SeenRow[];
  readonly totals: { readonly tests: string; readonly thresholds: string; readonly points: string };
  readonly testRows: readonly TestRow[];
  readonly thresholdRows: readonly ThresholdRow[];
  readonly example: CreditExample | null;
  readonly limits: { readonly testSeconds: string; readonly wallSeconds: string; readonly stepBudget: string };
  readonly studentFiles: readonly string[];
}

/**
 * The grading tables of `rubric`, whose threshold scenarios live under
 * `rubricDir`. Each threshold's scenario is run through the reference
 * kernel for its reference figure; throws when one does not run correctly.
 */
export function gradingView(rubric: Rubric, rubricDir: string): GradingView {
  const sum = (xs: readonly { points: number }[]) => xs.reduce((s, x) => s + x.points, 0);
  const parts = rubricParts(rubric).map((p) => ({
    id: p.id,
    title: `${p.id}: ${p.title}`,
    tests: num(p.tests.maxScore),
    thresholds: num(p.thresholds.maxScore),
    points: num(p.maxScore),
  }));
  const testRows: TestRow[] = [];
  const thresholdRows: ThresholdRow[] = [];
  let example: CreditExample | null = null;
  for (const p of rubric.parts) {
    const tests = rubric.tests.filter((t) => t.part === p.id);
    for (const t of tests.filter((t) => t.visibility === "visible")) {
      testRows.push({ part: p.id, title: mdText(t.title), points: num(t.points) });
    }
    const hidden = tests.filter((t) => t.visibility !== "visible");
    if (hidden.length > 0) {
      testRows.push({ part: p.id, title: countOf(hidden.length, "hidden test"), points: num(sum(hidden)) });
    }
    const thresholds = rubric.thresholds.filter((t) => t.part === p.id);
    for (const t of thresholds.filter((t) => t.visibility === "visible")) {
      const reference = referenceFigure(t, rubricDir);
      thresholdRows.push({
        part: p.id,
        title: mdText(t.title),
        scenario: mdText(path.basename(t.scenario, ".json")),
        figure: mdText(t.figure),
        reference: num(reference),
        worst: num(t.worst),
        points: num(t.points),
      });
      if (example === null && t.worst > reference + 1) example = exampleOf(t, reference);
    }
    const hiddenThresholds = thresholds.filter((t) => t.visibility !== "visible");
    if (hiddenThresholds.length > 0) {
      thresholdRows.push({
        part: p.id,
        title: countOf(hiddenThresholds.length, "hidden threshold"),
        scenario: "",
        figure: "",
        reference: "",
        worst: "",
        points: num(sum(hiddenThresholds)),
      });
    }
  }
  return {
    parts,
    seen: seenRows(rubric),
    totals: {
      tests: num(sum(rubric.tests)),
      thresholds: num(sum(rubric.thresholds)),
      points: num(sum(rubric.tests) + sum(rubric.thresholds)),
    },
    testRows,
    thresholdRows,
    example,
    limits: {
      testSeconds: num(rubric.limits.testSeconds),
      wallSeconds: num(rubric.limits.wallSeconds),
      stepBudget: rubric.limits.stepBudget.toLocaleString("en-US"),
    },
    studentFiles: rubric.studentFiles,
  };
}

/** The figure a threshold measures, on the reference kernel; throws when its scenario fails there. */
export function referenceFigure(t: RubricThreshold, rubricDir: string): number {
  const file = path.join(rubricDir, t.scenario);
  const where = `threshold "${t.id}" (${t.scenario})`;
  let result: ScenarioResult;
  try {
    result = runScenario(loadScenario(file));
  } catch (e) {
    throw new Error(`Cannot build the handout: ${where}: ${(e as Error).message}`);
  }
  const problems = [...result.failures, ...result.audit];
  if (!result.ok || problems.length > 0) {
    throw new Error(
      `Cannot build the handout: ${where} does not run correctly on the reference kernel: ${problems.join("; ")}`,
    );
  }
  const value = figureOf(result, t.figure);
  if (value === null) throw new Error(`Cannot build the handout: ${where} has no figure "${t.figure}"`);
  return value;
}

// A kernel halfway between the reference and the worst bound, and what it earns.
function exampleOf(t: RubricThreshold, reference: number): CreditExample {
  const measured = Math.round((reference + t.worst) / 2);
  const credit = thresholdCredit(t.points, measured, reference, t.worst);
  return {
    title: mdText(t.title),
    points: num(t.points),
    reference: num(reference),
    worst: num(t.worst),
    measured: num(measured),
    credit: num(credit),
  };
}

/** How students see one visibility's items: from when, and what until then (grader/visibility.ts firstShown). */
const SEEN_WORDS: Record<"always" | "later" | "never", (what: string, when: string) => string> = {
  always: (what) => `${what} marked as visible show their name and, when they fail, their message.`,
  later: (what, when) =>
    `${what} shown ${when} show their name and message from then on; until then, like hidden ones, only their part, their points and, if they fail, a hint.`,
  never: (what) =>
    `Hidden ${what.toLowerCase()} show only their part, their points and, if they fail, a hint; never what they check.`,
};

const WHEN: Record<string, string> = {
  "after-due-date": "after the due date",
  published: "once grades are published",
};

// One sentence per visibility the rubric's items use, in Gradescope's order.
function seenRows(rubric: Rubric): SeenRow[] {
  const used = new Set<Visibility>([...rubric.tests, ...rubric.thresholds].map((i) => i.visibility));
  const order: Visibility[] = ["visible", "after_due_date", "after_published", "hidden"];
  return order
    .filter((v) => used.has(v))
    .map((v) => {
      const moment = firstShown(v);
      const what = whatOf(rubric, v);
      if (moment === null) return { text: SEEN_WORDS.never(what, "") };
      if (moment === "before-due-date") return { text: SEEN_WORDS.always(what, "") };
      return { text: SEEN_WORDS.later(what, WHEN[moment]!) };
    });
}

// "Tests", "Thresholds" or "Tests and thresholds": which kinds of item have visibility `v`.
function whatOf(rubric: Rubric, v: Visibility): string {
  const tests = rubric.tests.some((t) => t.visibility === v);
  const thresholds = rubric.thresholds.some((t) => t.visibility === v);
  return tests && thresholds ? "Tests and thresholds" : tests ? "Tests" : "Thresholds";
}

/**
 * Rubric text made literal inside Markdown (a table cell, a sentence): the
 * characters Markdown would read as emphasis, links or cell borders are
 * backslashed. HTML's own characters are left to Handlebars, which escapes them.
 */
export function mdText(s: string): string {
  return s.replace(/[\\*_[\]|]/g, (c) => `\\${c}`);
}

function countOf(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** A number as the tables print it: at most two decimals, thousands unseparated. */
function num(n: number): string {
  return String(Math.round(n * 100) / 100);
}
