// Who sees what of a graded item: the one rule every view applies (the
// report's HTML and Markdown, results.json's visible entries and overview,
// the pictures, the handout's description of it). Gradescope's semantics,
// the rubric's `visibility` (_rubric-schema.ts):
//  - "visible": shown in full to everyone;
//  - "after_due_date": in full once the due date has passed (Gradescope: the
//    latest due date when late submissions are allowed), to the instructor always;
//  - "after_published": in full once grades are published, to the instructor always;
//  - "hidden": in full to the instructor only.
// An item not shown in full shows its part, its points (and so whether it
// passed) and, when it failed on its own account, its hint: never its
// title, its failure message, its expected values, its figures or a picture.

import { hintOf } from "./difference/describe";
import type { MeasuredFigure, ScoredItem, Visibility } from "./model";

/** When a student's view is made: grades are published after the due date. */
export type Moment = "before-due-date" | "after-due-date" | "published";

export const MOMENTS: readonly Moment[] = ["before-due-date", "after-due-date", "published"];

/** Who a view is for. */
export type Audience = { readonly kind: "student"; readonly moment: Moment } | { readonly kind: "instructor" };

/** A student's view made before the due date: what `oslab grade` writes by default. */
export const STUDENT: Audience = { kind: "student", moment: "before-due-date" };
/** Everything: summary.html, details.json and the instructor's report. */
export const INSTRUCTOR: Audience = { kind: "instructor" };

/** Whether an item of `visibility` is shown in full to `audience`. */
export function shownInFull(visibility: Visibility, audience: Audience): boolean {
  if (audience.kind === "instructor") return true;
  switch (visibility) {
    case "visible":
      return true;
    case "after_due_date":
      return audience.moment !== "before-due-date";
    case "after_published":
      return audience.moment === "published";
    case "hidden":
      return false;
  }
}

/** The first moment a student sees an item of `visibility` in full, or null: never. */
export function firstShown(visibility: Visibility): Moment | null {
  return MOMENTS.find((moment) => shownInFull(visibility, { kind: "student", moment })) ?? null;
}

/** How an item ended, as the views class it. */
export type Outcome = "pass" | "fail" | "timeout" | "crash" | "blocked";

/** One item as an audience sees it: title, output and figure are null when it is not shown in full. */
export interface ItemView {
  readonly id: string;
  readonly kind: ScoredItem["kind"];
  readonly part: string;
  readonly score: number;
  readonly maxScore: number;
  readonly passed: boolean;
  readonly outcome: Outcome;
  readonly visibility: Visibility;
  readonly full: boolean;
  readonly title: string | null;
  /** What it says when it failed (its message, what the code printed, the hint); null: not shown in full. */
  readonly output: string | null;
  readonly figure: MeasuredFigure | null;
  /** Why it was not scored (it depends on a test, the submission could not run): names no check. "" otherwise. */
  readonly blockedBy: string;
  /**
   * The hint, when it failed on its own account: what first differed from the
   * reference kernel (only its kind when not shown in full), else the rubric's; "" when neither.
   */
  readonly hint: string;
}

/** What `audience` sees of `item`: the only place the views decide it. */
export function itemView(item: ScoredItem, audience: Audience): ItemView {
  const full = shownInFull(item.visibility, audience);
  const outcome = outcomeOf(item);
  return {
    id: item.id,
    kind: item.kind,
    part: item.part,
    score: item.score,
    maxScore: item.maxScore,
    passed: item.passed,
    outcome,
    visibility: item.visibility,
    full,
    title: full ? item.title : null,
    output: full ? item.output : null,
    figure: full ? (item.figure ?? null) : null,
    blockedBy: outcome === "blocked" ? (item.output.split("\n").find((l) => l.trim() !== "") ?? "") : "",
    // from what differed from the reference kernel when the run found it; a hidden item says only its kind
    hint: item.passed || item.hint === undefined ? "" : hintOf(item.difference, item.hint, full),
  };
}

/** How an item ended: passed, failed, stopped from outside, or not scored because of something else. */
export function outcomeOf(i: ScoredItem): Outcome {
  if (i.passed) return "pass";
  const o = i.output;
  if (o.startsWith("Not graded") || o.startsWith("depends on")) return "blocked";
  // the grader's own words for a unit stopped from outside (grader/run.ts)
  if (/did not finish within \d+ s|time of \d+ s ran out/.test(o)) return "timeout";
  if (/ran out of memory|overflowed the stack|ended the test process|was ended by signal/.test(o)) return "crash";
  return "fail";
}
