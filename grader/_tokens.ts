// Release tokens (the rubric's "releaseTokens"): the hints of failed hidden
// tests are shown on at most `tokens` submissions in any `hours` hours.
// Gradescope gives the autograder each earlier submission's time and the
// results the kit wrote for it (submission_metadata.json, read by
// _submission-metadata.ts); those results say whether its hints were shown
// (extra_data.hintsShown) or whether the grader itself failed on it
// (extra_data.status "grader-error", which costs the student nothing).
//
// The window ends at the submission's own time (its created_at), never at
// the clock's: a submission regraded later, when newer ones exist, counts
// the same earlier submissions and gets the same answer. A submission with
// no hint to show spends no token, nor does one whose hints are held back.

import { ReleaseTokens } from "./model";

/** The key of results.json's extra_data that records whether the submission's hints were shown. */
export const HINTS_SHOWN_KEY = "hintsShown";

/** What an earlier submission's results say about its hints. */
export type PastRecord = "shown" | "not-shown" | "grader-failure" | "unknown";

export interface PastSubmission {
  /** When it was submitted, in ms since the epoch. */
  readonly at: number;
  readonly record: PastRecord;
}

/** This submission and the ones before it, as Gradescope tells them. */
export interface SubmissionHistory {
  /** When this submission was made, in ms since the epoch. */
  readonly at: number;
  /** The offset its time was written with ("-07:00", "Z"): times are shown to the student in it. */
  readonly zone: string;
  readonly previous: readonly PastSubmission[];
}

/** Whether this submission's hints are shown, and what the student is told of their tokens. */
export type HintRelease =
  /** The rubric sets no tokens: hints on every submission. */
  | { readonly kind: "every-submission" }
  /** Tokens are set but nothing tells the earlier submissions (graded outside Gradescope): shown. */
  | { readonly kind: "not-counted"; readonly rule: ReleaseTokens; readonly why: string }
  /** Nothing to show: no token spent; `left` tokens in the window. */
  | { readonly kind: "nothing-to-show"; readonly rule: ReleaseTokens; readonly left: number }
  /** Shown, spending a token; `left` after it; one comes back at `back` (ms). */
  | { readonly kind: "released"; readonly rule: ReleaseTokens; readonly left: number; readonly back: number }
  /** Held back: every token of the window is spent; one comes back at `back` (ms). */
  | { readonly kind: "held"; readonly rule: ReleaseTokens; readonly back: number };

export const EVERY_SUBMISSION: HintRelease = { kind: "every-submission" };

/** A submission's history, or why it is not known (in words a student may read). */
export type KnownHistory = SubmissionHistory | { readonly unknown: string };

/**
 * Decides whether a submission with (or without) hints to show gets them,
 * under the rubric's tokens and the submission's history.
 */
export function releaseHints(
  rule: ReleaseTokens | undefined,
  history: KnownHistory,
  hintsToShow: boolean,
): HintRelease {
  if (rule === undefined) return EVERY_SUBMISSION;
  if ("unknown" in history) return { kind: "not-counted", rule, why: history.unknown };
  const window = rule.hours * 3_600_000;
  const used = tokensUsed(history, window);
  const left = Math.max(0, rule.tokens - used.length);
  if (!hintsToShow) return { kind: "nothing-to-show", rule, left };
  // a token comes back when the submission that spent it leaves the window
  if (left === 0) return { kind: "held", rule, back: used[used.length - rule.tokens]! + window };
  return { kind: "released", rule, left: left - 1, back: (used[0] ?? history.at) + window };
}

// The times, oldest first, of the earlier submissions within `window` ms
// before this one that spent a token (one whose results say nothing counts).
function tokensUsed(history: SubmissionHistory, window: number): number[] {
  return history.previous
    .filter((p) => p.at < history.at && p.at > history.at - window)
    .filter((p) => p.record === "shown" || p.record === "unknown")
    .map((p) => p.at)
    .sort((a, b) => a - b);
}

/** Whether this submission's hints are shown (what its results record under HINTS_SHOWN_KEY). */
export function hintsShown(release: HintRelease, hintsToShow: boolean): boolean {
  return hintsToShow && release.kind !== "held" && release.kind !== "nothing-to-show";
}

/** What an earlier submission's results.json (as Gradescope keeps it) says about its hints. */
export function pastRecordOf(results: unknown): PastRecord {
  const extra = (results as { extra_data?: unknown } | null | undefined)?.extra_data;
  if (typeof extra !== "object" || extra === null) return "unknown";
  const data = extra as Record<string, unknown>;
  if (data.status === "grader-error") return "grader-failure";
  const shown = data[HINTS_SHOWN_KEY];
  return shown === true ? "shown" : shown === false ? "not-shown" : "unknown";
}

/** The sentence the student reads about their tokens; "" when the rubric sets none. */
export function tokenSentence(release: HintRelease, zone: string): string {
  if (release.kind === "every-submission") return "";
  const { tokens, hours } = release.rule;
  const rule = `hints of hidden tests are shown on ${plural(tokens, "submission")} in any ${plural(hours, "hour")}`;
  switch (release.kind) {
    case "not-counted":
      return `Hint tokens: ${rule}; not counted here (${release.why}).`;
    case "nothing-to-show":
      return `Hint tokens: ${rule}. This submission has no hint to show and used none: ${release.left} of ${tokens} left.`;
    case "released":
      return (
        `Hint tokens: ${rule}. This submission used one: ${release.left} of ${tokens} left ` +
        `(the oldest one used comes back at ${timeIn(release.back, zone)}).`
      );
    case "held":
      return (
        `Hint tokens: ${rule}, and you have used all ${tokens}, so this submission's hints are held back. ` +
        `The next token comes back at ${timeIn(release.back, zone)}.`
      );
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * `ms` as "2026-12-03 09:15 -07:00", in the offset `zone` ("-07:00",
 * "+05:30", "Z"), rounded up to the minute: never earlier than the moment.
 */
export function timeIn(ms: number, zone: string): string {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(zone);
  const offset = m === null ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  const local = new Date(Math.ceil(ms / 60_000) * 60_000 + offset * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${m === null ? "UTC" : zone}`;
}
