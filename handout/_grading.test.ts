// The handout's grading tables: the same totals, formula and visibility rule as the grader's.

import { rubricParts, thresholdCredit } from "../grader/_points";
import { loadRubric } from "../grader/rubric";
import { FIXTURE_LAB } from "../grader/test-support/fixtures";
import { gradingView } from "./_grading";

const rubric = loadRubric(FIXTURE_LAB);
const view = gradingView(rubric, FIXTURE_LAB);

test("each part's row counts its tests and its thresholds, as every report totals them", () => {
  // the fixture's two thresholds are part B's
  expect(view.parts.map((p) => [p.id, p.tests, p.thresholds, p.points])).toEqual([
    ["A", "4", "0", "4"],
    ["B", "3", "3", "6"],
    ["C", "2", "0", "2"],
  ]);
  expect(view.parts.map((p) => Number(p.points))).toEqual(rubricParts(rubric).map((p) => p.maxScore));
  expect(view.totals.points).toBe("12");
});

test("the worked example's credit is the grader's formula", () => {
  const e = view.example!;
  expect(e).not.toBeNull();
  const credit = thresholdCredit(Number(e.points), Number(e.measured), Number(e.reference), Number(e.worst));
  expect(e.credit).toBe(String(credit));
  expect(credit).toBeGreaterThan(0);
  expect(credit).toBeLessThan(Number(e.points));
});

test("what students see is said for each visibility the rubric uses, from the grader's rule", () => {
  expect(view.seen.map((s) => s.text)).toEqual([
    "Tests and thresholds marked as visible show their name and, when they fail, their message.",
    "Tests shown after the due date show their name and message from then on; until then, like hidden ones, only their part, their points and, if they fail, a hint.",
    "Hidden tests and thresholds show only their part, their points and, if they fail, a hint; never what they check.",
  ]);
  const allVisible = gradingView(
    {
      ...rubric,
      tests: rubric.tests.map((t) => ({ ...t, visibility: "visible" as const })),
      thresholds: rubric.thresholds.map((t) => ({ ...t, visibility: "visible" as const })),
    },
    FIXTURE_LAB,
  );
  expect(allVisible.seen).toHaveLength(1);
});
