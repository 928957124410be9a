// Points, computed in one place for every view: a threshold's credit (the
// formula the handout prints and the grader scores with) and the per-part
// totals (tests and thresholds) that the report, results.json, grades.csv,
// summary.json, the class summary and the handout's table all show.
// Imports nothing of the grader's stages, so the handout can use it.

import type { Points, Rubric, RubricPart } from "./model";

/**
 * A threshold's credit: full `points` at or below `reference`, 0 at or
 * beyond `worst`, linear in between (the CMU malloc lab's throughput rule).
 */
export function thresholdCredit(points: number, measured: number, reference: number, worst: number): number {
  if (measured <= reference) return points;
  if (measured >= worst) return 0;
  return round((points * (worst - measured)) / (worst - reference));
}

/** Points to two decimals, the same way every time. */
export function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** What a part total is made of: one scored (or scorable) item. */
export interface PointsOf {
  readonly part: string;
  readonly kind: "test" | "threshold";
  readonly score: number;
  readonly maxScore: number;
}

/** A part's points, split into its tests' and its thresholds'. */
export interface PartTotal extends Points {
  readonly id: string;
  readonly title: string;
  readonly tests: Points;
  readonly thresholds: Points;
}

/**
 * Each part's totals from `items`, in the rubric's order of parts: tests
 * and thresholds alike count toward the part they name, so the parts add
 * up to the sum of every item.
 */
export function partTotals(parts: readonly RubricPart[], items: readonly PointsOf[]): PartTotal[] {
  return parts.map((p) => {
    const tests = pointsOf(items.filter((i) => i.part === p.id && i.kind === "test"));
    const thresholds = pointsOf(items.filter((i) => i.part === p.id && i.kind === "threshold"));
    return {
      id: p.id,
      title: p.title,
      score: round(tests.score + thresholds.score),
      maxScore: round(tests.maxScore + thresholds.maxScore),
      tests,
      thresholds,
    };
  });
}

/** Each part's points possible under `rubric` (every score 0): the handout's table and the summary's columns. */
export function rubricParts(rubric: Rubric): PartTotal[] {
  const of = (kind: PointsOf["kind"]) => (x: { part: string; points: number }) => ({
    part: x.part,
    kind,
    score: 0,
    maxScore: x.points,
  });
  return partTotals(rubric.parts, [...rubric.tests.map(of("test")), ...rubric.thresholds.map(of("threshold"))]);
}

function pointsOf(items: readonly PointsOf[]): Points {
  return {
    score: round(items.reduce((s, i) => s + i.score, 0)),
    maxScore: round(items.reduce((s, i) => s + i.maxScore, 0)),
  };
}
