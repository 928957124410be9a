// Stage 5a, report for one student: Gradescope's results.json (the
// autograder specification's format). Timings appear only in
// execution_time; nothing else in it depends on when or how fast it ran.
//
// What a student sees of it on Gradescope is the top-level output and the
// entries that are not hidden; Gradescope itself applies each entry's
// visibility (the rubric's), so every entry keeps its full text for the
// instructor. What is shown to every student (the overview, the hint
// entries, extra_data) follows visibility.ts's rule for a student before
// the due date: each part gets a visible entry of 0 points of its own that
// lists the hints of the part's items that student cannot see in full and
// that failed: the hints alone, never an item's title, its expected values
// or a diff. The rubric's release tokens (_tokens.ts) may hold them back;
// extra_data records whether they were shown, which the next submissions'
// token count reads.

import { EVERY_SUBMISSION, HINTS_SHOWN_KEY, HintRelease, hintsShown, tokenSentence } from "./_tokens";
import { formatFlag } from "./integrity";
import { PartScore, ScoredItem, SubmissionResult, Visibility } from "./model";
import { formatDiagnostic } from "./typecheck";
import { ItemView, STUDENT, itemView, shownInFull } from "./visibility";

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

/** How results.json shows the hints: released to the student, and the offset times are told in ("Z": UTC). */
export interface HintOptions {
  readonly release: HintRelease;
  readonly zone: string;
}

/** The results.json of one submission; hints are shown unless `hints` holds them back. */
export function gradescopeResults(
  r: SubmissionResult,
  hints: HintOptions = { release: EVERY_SUBMISSION, zone: "Z" },
): GradescopeResults {
  const shown = hintsShown(hints.release, hasHiddenHints(r));
  return {
    score: r.score,
    execution_time: Math.round(r.timing.totalMs / 1000),
    output: overview(r, tokenSentence(hints.release, hints.zone)),
    visibility: "visible",
    stdout_visibility: "hidden",
    extra_data: {
      grader: r.graderVersion,
      lab: r.lab,
      labVersion: r.labVersion,
      seed: r.seed,
      ...(r.isolation !== undefined ? { isolation: r.isolation } : {}),
      status: r.status,
      // the figures of items every student sees in full (the others' would tell what they measure)
      figures: Object.fromEntries(
        r.items
          .filter((i) => i.figure !== undefined && shownInFull(i.visibility, STUDENT))
          .map((i) => [i.id, { figure: i.figure!.figure, measured: i.figure!.measured }]),
      ),
      typeErrors: r.typeErrors.map(formatDiagnostic),
      integrity: (r.flags ?? []).map(formatFlag),
      [HINTS_SHOWN_KEY]: shown,
    },
    tests: [...r.parts.map((p) => hintEntry(r, p, shown, hints)), ...r.items.map(testOf)],
  };
}

// The part's items a student does not see in full until later, or never.
function unseen(r: SubmissionResult, part: string): ScoredItem[] {
  return r.items.filter((i) => i.part === part && !shownInFull(i.visibility, STUDENT));
}

// Those that failed on their own account (score.ts sets their hint).
function hiddenFailures(r: SubmissionResult, part: string): ScoredItem[] {
  return unseen(r, part).filter((i) => !i.passed && i.hint !== undefined);
}

/** Whether some failed hidden item has a hint to show (only then does showing them spend a token). */
export function hasHiddenHints(r: SubmissionResult): boolean {
  return r.status === "graded" && r.parts.some((p) => hiddenFailures(r, p.id).some((i) => i.hint !== ""));
}

function hintEntry(r: SubmissionResult, p: PartScore, shown: boolean, hints: HintOptions): GradescopeTest {
  const failed = hiddenFailures(r, p.id);
  const anyFailed = unseen(r, p.id).some((i) => !i.passed);
  return {
    name: `Part ${p.id} (${p.title}): hints from hidden tests`,
    number: `${p.id} hints`,
    score: 0,
    max_score: 0,
    status: anyFailed ? "failed" : "passed",
    output: hintText(p, failed, anyFailed, shown ? null : tokenSentence(hints.release, hints.zone)),
    visibility: "visible",
    extra_data: { part: p.id, kind: "hints" },
  };
}

// The entry's text: the hints, once each, in the rubric's order, or why there are none (`held`: why held back).
function hintText(p: PartScore, failed: readonly ScoredItem[], anyFailed: boolean, held: string | null): string {
  const hints = failed.map((i) => itemView(i, STUDENT).hint);
  const texts = [...new Set(hints.filter((h) => h !== ""))];
  const bare = hints.filter((h) => h === "").length;
  if (failed.length === 0)
    return anyFailed
      ? `No hint for part ${p.id}: its hidden tests that failed did so because of something above (a missing file, code that does not compile, or a test they depend on).`
      : `No hidden test of part ${p.id} failed.`;
  if (texts.length === 0) return `Hidden tests of part ${p.id} failed, and none of them has a hint.`;
  if (held !== null) return held;
  const lines = [`Hints from the hidden tests of part ${p.id} that failed (what each one checks stays hidden):`];
  for (const t of texts) lines.push(`- ${t}`);
  if (bare > 0) lines.push(`(${bare === 1 ? "One more" : `${bare} more`} failed without a hint.)`);
  return lines.join("\n");
}

/** A part's line in the overview: its total, then its tests' and its thresholds' shares. */
function partLine(p: PartScore): string {
  const share = (what: string, x: { score: number; maxScore: number }) =>
    x.maxScore === 0 ? [] : [`${what} ${x.score} / ${x.maxScore}`];
  const shares = [...share("tests", p.tests), ...share("thresholds", p.thresholds)];
  return `Part ${p.id} (${p.title}): ${p.score} / ${p.maxScore}${shares.length > 1 ? ` (${shares.join(", ")})` : ""}`;
}

// Each item's own entry. Gradescope shows it to a student when its visibility
// says (after the due date, once published), so those keep their full text;
// a hidden one says what a student may read of it all the same, in case the
// file reaches one (the instructor has details.json and the instructor's report).
function testOf(i: ScoredItem): GradescopeTest {
  const seen = itemView(i, { kind: "student", moment: "published" });
  const extra: Record<string, unknown> = { id: i.id, part: i.part, kind: i.kind };
  if (seen.figure !== null) extra.measured = seen.figure.measured;
  return {
    name: `${i.id} ${i.title}`,
    number: i.id,
    score: i.score,
    max_score: i.maxScore,
    status: i.passed ? "passed" : "failed",
    output: seen.output ?? unseenOutput(seen),
    visibility: i.visibility,
    extra_data: extra,
  };
}

// What an item not shown in full says: whether it failed, why it was not scored, its hint.
function unseenOutput(i: ItemView): string {
  if (i.passed) return "";
  if (i.blockedBy !== "") return i.blockedBy;
  return ["Failed.", i.hint === "" ? "" : `Hint: ${i.hint}`].filter((x) => x !== "").join("\n");
}

function overview(r: SubmissionResult, tokens: string): string {
  // a grader error's sentence for the student comes first among the problems
  const lines = [`Score: ${r.score} / ${r.maxScore}`];
  for (const p of r.parts) lines.push(partLine(p));
  if (tokens !== "") lines.push("", tokens);
  for (const p of r.problems) lines.push("", p);
  if (r.isolation === "none")
    lines.push(
      "",
      "Graded without the grader's sandbox (--isolation none): your code ran with the grader's own rights.",
    );
  return lines.join("\n");
}
