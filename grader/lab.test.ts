// The real lab on the example submissions (the run's shared graded batch):
// the reference gets full marks on every test and threshold, the untouched
// starter 0 on every test of every part, and each example of a classic
// mistake loses points without losing them all.

import { BatchOutcome } from "./grade";
import { gradedExamples } from "./test-support/shared-batch";

jest.setTimeout(600_000);

let batch: BatchOutcome;
let mistakes: string[];

beforeAll(async () => {
  batch = (await gradedExamples()).outcome;
  mistakes = batch.results.map((r) => r.id).filter((id) => id !== "reference" && id !== "starter");
});

test("the reference solution gets full marks on every test and threshold", () => {
  const r = batch.results.find((x) => x.id === "reference")!;
  expect(r.items.filter((i) => i.score !== i.maxScore).map((i) => `${i.id}: ${i.detail}`)).toEqual([]);
  expect(r.items.filter((i) => i.kind === "threshold").length).toBeGreaterThan(0);
  // the reference's own warnings (rubric and suites disagreeing); pictures not drawn, also warned, are report.test.ts's
  const ids = batch.results.map((x) => `${x.id}: no picture for `);
  expect(batch.summary.warnings.filter((w) => !ids.some((id) => w.startsWith(id)))).toEqual([]);
});

test("the untouched starter scores 0 on every test of every part", () => {
  const r = batch.results.find((x) => x.id === "starter")!;
  expect(r.parts.length).toBeGreaterThan(0);
  for (const p of r.parts) expect(p).toMatchObject({ score: 0 });
  expect(r.items.filter((i) => i.kind === "test" && i.score > 0).map((i) => i.id)).toEqual([]);
});

test("each example of a classic mistake loses points and keeps some", () => {
  expect(mistakes.length).toBeGreaterThanOrEqual(10);
  for (const m of mistakes) {
    const r = batch.results.find((x) => x.id === m)!;
    expect({ m, lost: r.score < r.maxScore, kept: r.score > 0 }).toEqual({ m, lost: true, kept: true });
  }
});
