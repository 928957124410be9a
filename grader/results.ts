// Stage 5a, report for one student: Gradescope's results.json (the
// autograder specification's format). Timings appear only in
// execution_time; nothing else in it depends on when or how fast it ran.

import { formatFlag } from "./integrity";
import { ScoredItem, SubmissionResult, Visibility } from "./model";
import { formatDiagnostic } from "./typecheck";

export interface GradescopeTest {
  readonly name: string;
  readonly number: string;
  readonly score: number;
  readonly max_score: number;
  readonly status: "passed" | "failed";
  readonly output: string;
  readonly visibility: Visibility;
  readonly extra_data: Record<string, unknown>;
}

export interface GradescopeResults {
  readonly score: number;
  readonly execution_time: number;
  readonly output: string;
  readonly visibility: Visibility;
  readonly stdout_visibility: Visibility;
  readonly extra_data: Record<string, unknown>;
  readonly tests: readonly GradescopeTest[];
}

/** The results.json of one submission. */
export function gradescopeResults(r: SubmissionResult): GradescopeResults {
  return {
    score: r.score,
    execution_time: Math.round(r.timing.totalMs / 1000),
    output: overview(r),
    visibility: "visible",
    stdout_visibility: "hidden",
    extra_data: {
      grader: r.graderVersion,
      lab: r.lab,
      labVersion: r.labVersion,
      seed: r.seed,
      ...(r.isolation !== undefined ? { isolation: r.isolation } : {}),
      ...(r.isolation !== undefined ? { isolation: r.isolation } : {}),
      status: r.status,
      figures: Object.fromEntries(
        r.items
          .filter((i) => i.figure !== undefined)
          .map((i) => [i.id, { figure: i.figure!.figure, measured: i.figure!.measured }]),
      ),
      typeErrors: r.typeErrors.map(formatDiagnostic),
      integrity: (r.flags ?? []).map(formatFlag),
    },
    tests: r.items.map(testOf),
  };
}

function testOf(i: ScoredItem): GradescopeTest {
  const extra: Record<string, unknown> = { id: i.id, part: i.part, kind: i.kind };
  // a hidden threshold's reference figure is an expected value: only the student's own figure goes out
  if (i.figure !== undefined) extra.measured = i.figure.measured;
  return {
    name: `${i.id} ${i.title}`,
    number: i.id,
    score: i.score,
    max_score: i.maxScore,
    status: i.passed ? "passed" : "failed",
    output: i.output,
    visibility: i.visibility,
    extra_data: extra,
  };
}

function overview(r: SubmissionResult): string {
  // a grader error's sentence for the student comes first among the problems
  const lines = [`Score: ${r.score} / ${r.maxScore}`];
  for (const p of r.parts) lines.push(`Part ${p.id} (${p.title}): ${p.score} / ${p.maxScore}`);
  for (const p of r.problems) lines.push("", p);
  if (r.isolation === "none")
    lines.push(
      "",
      "Graded without the grader's sandbox (--isolation none): your code ran with the grader's own rights.",
    );
  if (r.isolation === "none")
    lines.push(
      "",
      "Graded without the grader's sandbox (--isolation none): your code ran with the grader's own rights.",
    );
  return lines.join("\n");
}
